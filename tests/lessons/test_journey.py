"""The journey through quests: numbers that never skip, the quest's summary and end, and tags that name their quest."""

import pytest
from django.urls import reverse

from lessons.models import Status, Tag
from progress import services
from tests.conftest import make_quest


@pytest.fixture
def two_quests(db):
    first = make_quest("first-quest", lessons=3, order=0)
    second = make_quest("second-quest", lessons=2, order=1)
    return first, second


def rows(html: str) -> list[str]:
    return [part.split("</span>", 1)[0] for part in html.split('<span class="lesson-number" aria-hidden="true">')[1:]]


def test_a_draft_leaves_no_gap_in_the_numbers_learners_see(client, two_quests):
    first, _second = two_quests
    middle = first.lessons.get(position=2)
    middle.status = Status.DRAFT
    middle.save()
    assert rows(client.get(first.get_absolute_url()).content.decode()) == ["01", "02"]
    last = first.lessons.get(position=3)
    assert "Lesson 02 of 2" in client.get(last.get_absolute_url()).content.decode()


def test_staff_see_the_draft_in_place_and_numbered_as_on_its_page(client, two_quests, staff_user):
    first, _second = two_quests
    middle = first.lessons.get(position=2)
    middle.status = Status.DRAFT
    middle.save()
    client.force_login(staff_user)
    assert rows(client.get(first.get_absolute_url()).content.decode()) == ["01", "02", "03"]
    assert "Lesson 02 of 3" in client.get(middle.get_absolute_url()).content.decode()


def test_the_quest_page_shows_its_size_time_and_progress(client, two_quests):
    first, _second = two_quests
    html = client.get(first.get_absolute_url()).content.decode()
    assert "3 lessons" in html
    assert "~54 min in all" in html
    assert "0 of 3 lessons done" in html
    assert f'data-quest-complete="{first.pk}"' in html
    assert "hidden>" in html.split(f'data-quest-complete="{first.pk}"', 1)[1].split("\n", 1)[0]


def test_a_finished_quest_says_so_with_the_date_and_what_comes_next(client, two_quests, user):
    first, second = two_quests
    for lesson in first.lessons.all():
        services.lesson_complete(user=user, lesson=lesson)
    client.force_login(user)
    html = client.get(first.get_absolute_url()).content.decode()
    box = html.split(f'data-quest-complete="{first.pk}"', 1)[1].split("</section>", 1)[0]
    assert "hidden" not in box.split(">", 1)[0]
    assert "Quest complete" in box
    assert "You finished every lesson of this quest on" in box
    assert second.get_absolute_url() in box
    assert "3 of 3 lessons done" in html


def test_the_last_lesson_of_a_quest_leads_to_the_next_quest_and_the_very_last_back_to_the_quests(client, two_quests):
    first, second = two_quests
    html = client.get(first.lessons.get(position=3).get_absolute_url()).content.decode()
    assert f'class="pager-next" href="{second.get_absolute_url()}"' in html
    assert "Next quest" in html
    html = client.get(second.lessons.get(position=2).get_absolute_url()).content.decode()
    assert f'class="pager-next" href="{reverse("lessons:home")}"' in html


def test_tag_pages_name_each_lessons_quest_and_place_and_the_tag_index_lists_tags(client, two_quests):
    first, second = two_quests
    tag = Tag.objects.create(name="history", slug="history")
    tag.lessons.add(first.lessons.get(position=1), second.lessons.get(position=2))
    Tag.objects.create(name="unused", slug="unused")
    html = client.get(tag.get_absolute_url()).content.decode()
    assert "First Quest</a> · Lesson 01 of 3" in html
    assert "Second Quest</a> · Lesson 02 of 2" in html
    index = client.get(reverse("lessons:tags")).content.decode()
    assert tag.get_absolute_url() in index
    assert "2 lessons" in index
    assert "/tags/unused/" not in index


def test_tag_page_and_index_cost_a_fixed_number_of_queries(client, db, django_assert_num_queries):
    tag = Tag.objects.create(name="many", slug="many")
    for size in (2, 30):
        quest = make_quest(f"q{size}", lessons=size)
        tag.lessons.add(*quest.lessons.all())
        with django_assert_num_queries(4 + 3):
            client.get(tag.get_absolute_url())
        with django_assert_num_queries(1 + 3):
            client.get(reverse("lessons:tags"))
