"""Lesson, quest, tag and home pages: what they show, who sees drafts, what they cost."""

import pytest
from django.urls import reverse

from lessons.models import ExternalLink, Lesson, Status, Tag
from tests.conftest import make_quest


@pytest.fixture
def lesson4(db):
    quest = make_quest("deep-learning-history", lessons=10)
    lesson = quest.lessons.get(position=4)
    lesson.title = "History Arc"
    lesson.minutes = 18
    lesson.xp = None
    lesson.save()
    for name in ("history", "alexnet", "transformer"):
        lesson.tags.add(Tag.objects.create(name=name, slug=name))
    ExternalLink.objects.create(
        lesson=lesson, title="Attention Is All You Need", url="https://arxiv.org/abs/1706.03762"
    )
    return lesson


def test_lesson_page_shows_the_seed_elements_in_order(client, lesson4):
    response = client.get(lesson4.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    html = html[html.index('id="main"') :]
    expected_order = [
        "Deep Learning History",  # the quest
        "Lesson 04 of 10",
        "published",
        "History Arc",
        "~18 min",
        'href="/tags/history/"',
        'class="prose"',
        "External links",
        "Exercise",
        "Progress",
        'rel="next"',
    ]
    positions = [html.index(text) for text in expected_order]
    assert positions == sorted(positions)
    assert "Attention Is All You Need" in html
    assert lesson4.xp == 40  # 18 minutes -> 4 started blocks of 5 -> 40 XP


def test_lesson_page_links_to_previous_and_next_in_the_quest(client, lesson4):
    html = client.get(lesson4.get_absolute_url()).content.decode()
    previous = lesson4.quest.lessons.get(position=3)
    following = lesson4.quest.lessons.get(position=5)
    assert f'href="{previous.get_absolute_url()}" rel="prev"' in html
    assert f'href="{following.get_absolute_url()}" rel="next"' in html


def test_lesson_page_has_title_description_open_graph_and_canonical(client, lesson4):
    lesson4.summary = "Three turning points."
    lesson4.save()
    html = client.get(lesson4.get_absolute_url()).content.decode()
    assert "<title>History Arc · Deep Learning History — Stream</title>" in html
    assert '<meta name="description" content="Three turning points.">' in html
    assert '<meta property="og:title" content="History Arc">' in html
    assert f'<link rel="canonical" href="http://testserver{lesson4.get_absolute_url()}">' in html


def test_home_lists_published_quests_in_order_with_lesson_counts(client, db):
    make_quest("second", lessons=2, order=2)
    make_quest("first", lessons=3, order=1)
    make_quest("hidden", lessons=1, status=Status.DRAFT, order=0)
    html = client.get("/").content.decode()
    assert html.index("First") < html.index("Second")
    assert "3 lessons" in html
    assert "2 lessons" in html
    assert "Hidden" not in html


def test_home_shows_an_empty_state_without_quests(client, db):
    assert "No quests are published yet" in client.get("/").content.decode()


def test_quest_page_lists_lessons_in_order_with_minutes_and_tags(client, lesson4):
    html = client.get(lesson4.quest.get_absolute_url()).content.decode()
    assert html.index("Lesson 3") < html.index("History Arc") < html.index("Lesson 5")
    assert "~18 min" in html
    assert 'href="/tags/alexnet/"' in html


def test_tag_page_lists_published_lessons_with_the_tag(client, lesson4):
    draft = lesson4.quest.lessons.get(position=5)
    draft.status = Status.DRAFT
    draft.save()
    draft.tags.add(Tag.objects.get(slug="history"))
    html = client.get(reverse("lessons:tag", args=["history"])).content.decode()
    assert "History Arc" in html
    assert draft.title not in html


class TestDrafts:
    @pytest.fixture
    def draft(self, lesson4):
        lesson = lesson4.quest.lessons.get(position=5)
        lesson.status = Status.DRAFT
        lesson.title = "Secret draft"
        lesson.save()
        return lesson

    @pytest.mark.parametrize("who", ["anonymous", "learner"])
    def test_drafts_are_404_and_invisible_in_lists_counts_and_links(self, client, draft, user, who):
        if who == "learner":
            client.force_login(user)
        assert client.get(draft.get_absolute_url()).status_code == 404
        quest_html = client.get(draft.quest.get_absolute_url()).content.decode()
        assert "Secret draft" not in quest_html
        home_html = client.get("/").content.decode()
        assert "9 lessons" in home_html
        previous = draft.quest.lessons.get(position=4)
        lesson_html = client.get(previous.get_absolute_url()).content.decode()
        assert "Secret draft" not in lesson_html
        assert "Lesson 04 of 9" in lesson_html
        assert draft.get_absolute_url() not in client.get("/sitemap.xml").content.decode()

    def test_staff_see_drafts_marked_as_such(self, client, draft, staff_user):
        client.force_login(staff_user)
        response = client.get(draft.get_absolute_url())
        assert response.status_code == 200
        assert "badge-draft" in response.content.decode()
        assert "Secret draft" in client.get(draft.quest.get_absolute_url()).content.decode()

    def test_a_draft_quest_hides_its_lessons(self, client, lesson4):
        lesson4.quest.status = Status.DRAFT
        lesson4.quest.save()
        assert client.get(lesson4.get_absolute_url()).status_code == 404
        assert client.get(lesson4.quest.get_absolute_url()).status_code == 404
        assert Lesson.objects.published().count() == 0


def test_sitemap_lists_published_lessons(client, lesson4):
    body = client.get("/sitemap.xml").content.decode()
    assert f"http://testserver{lesson4.get_absolute_url()}" in body


def test_markdown_is_rendered_on_save_not_per_request(lesson4):
    lesson4.body = "## Heading\n\n<script>alert(1)</script> **bold**"
    lesson4.save()
    lesson4.refresh_from_db()
    assert "<strong>bold</strong>" in lesson4.body_html
    assert "<script" not in lesson4.body_html


def test_the_key_survives_title_and_slug_changes(lesson4):
    key = lesson4.key
    lesson4.title, lesson4.slug = "Renamed", "renamed"
    lesson4.save()
    lesson4.refresh_from_db()
    assert lesson4.key == key


def test_admin_preview_renders_unsaved_markdown_for_staff_only(client, staff_user, user):
    data = {"title": "Draft title", "body": '## Hello\n\n```python title="Demo"\nprint(1)\n```', "exercise": "Try"}
    client.force_login(user)
    assert client.post(reverse("lessons:preview"), data).status_code == 302  # to the login page
    client.force_login(staff_user)
    response = client.post(reverse("lessons:preview"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Draft title" in html
    assert "code-title" in html
    assert "Demo" in html


def test_admin_lesson_changelist_and_form_render(client, staff_user, lesson4):
    client.force_login(staff_user)
    assert client.get(reverse("admin:lessons_lesson_changelist") + "?status__exact=published").status_code == 200
    response = client.get(reverse("admin:lessons_lesson_change", args=[lesson4.pk]))
    assert response.status_code == 200
    assert "Preview rendered lesson" in response.content.decode()
    assert client.get(reverse("admin:lessons_quest_change", args=[lesson4.quest.pk])).status_code == 200


def test_admin_publish_and_unpublish_actions(client, staff_user, lesson4):
    client.force_login(staff_user)
    url = reverse("admin:lessons_lesson_changelist")
    client.post(url, {"action": "unpublish", "_selected_action": [lesson4.pk]})
    lesson4.refresh_from_db()
    assert lesson4.status == Status.DRAFT
    client.post(url, {"action": "publish", "_selected_action": [lesson4.pk]})
    lesson4.refresh_from_db()
    assert lesson4.status == Status.PUBLISHED


def test_admin_reorders_lessons_in_a_quest_without_tripping_the_unique_position(client, staff_user, db):
    quest = make_quest("reorder", lessons=2)
    first, second = quest.lessons.order_by("position")
    client.force_login(staff_user)
    data = {
        "title": quest.title, "slug": quest.slug, "summary": "", "order": 0, "status": "published",
        "lessons-TOTAL_FORMS": 2, "lessons-INITIAL_FORMS": 2, "lessons-MIN_NUM_FORMS": 0, "lessons-MAX_NUM_FORMS": 1000,
        "lessons-0-id": first.pk, "lessons-0-quest": quest.pk, "lessons-0-position": 2,
        "lessons-1-id": second.pk, "lessons-1-quest": quest.pk, "lessons-1-position": 1,
    }  # fmt: skip
    response = client.post(reverse("admin:lessons_quest_change", args=[quest.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.position, second.position) == (2, 1)


@pytest.mark.parametrize("size", [3, 80])
def test_page_query_counts_do_not_grow_with_the_quest(client, db, django_assert_num_queries, size):
    quest = make_quest("sized", lessons=size)
    for lesson in quest.lessons.all():
        lesson.tags.add(*Tag.objects.bulk_create([Tag(name=f"t{lesson.pk}", slug=f"t{lesson.pk}")]))
    lesson = quest.lessons.get(position=2)
    # Counts per page for an anonymous visitor; the same for 3 and for 80 lessons.
    with django_assert_num_queries(PAGE_QUERIES["lesson"]):
        assert client.get(lesson.get_absolute_url()).status_code == 200
    with django_assert_num_queries(PAGE_QUERIES["quest"]):
        assert client.get(quest.get_absolute_url()).status_code == 200
    with django_assert_num_queries(PAGE_QUERIES["home"]):
        assert client.get("/").status_code == 200


# Each page's own queries, plus the parts other apps add: progress's standing area for an anonymous
# visitor (published lessons, levels, achievements: 3) and the lesson's comments (1). The quest page
# also looks up the quest that follows (for its "Quest complete" box).
PAGE_QUERIES = {"lesson": 4 + 3 + 1, "quest": 4 + 3, "home": 2 + 3}
