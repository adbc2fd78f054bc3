"""Values every viewer shares (``infra.page_cache.shared``): the published lesson, the catalogue, the
level table and the achievements are read once per content version, and every write that changes one
shows on the next read."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone, translation

from infra import page_cache
from lessons import selectors as lesson_selectors
from lessons.models import Status, Tag
from progress import selectors as progress_selectors
from progress import services as progress_services
from progress.models import Achievement, EarnedAchievement, Level


@pytest.fixture(autouse=True)
def _cache_on(settings, db):
    settings.PAGE_CACHE_SECONDS = 60  # off in tests by default; on in production
    settings.PAGE_CACHE_VERSION_SECONDS = 60
    page_cache._local.version_read_at = float("-inf")
    page_cache._local.shared.clear()
    yield
    page_cache._local.shared.clear()


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def detail(lesson, user=None):
    return lesson_selectors.lesson_detail(quest_slug=lesson.quest.slug, slug=lesson.slug, user=user or AnonymousUser())


def test_a_shared_value_is_built_once_per_content_version(lesson, django_assert_num_queries):
    calls = []
    build = lambda: calls.append(1) or len(calls)  # noqa: E731
    assert page_cache.shared("test:value", build) == 1
    with django_assert_num_queries(0):
        assert page_cache.shared("test:value", build) == 1
    page_cache.invalidate()
    assert page_cache.shared("test:value", build) == 2


def test_a_shared_value_is_kept_per_language():
    with translation.override("en"):
        english = page_cache.shared("test:language", translation.get_language)
    with translation.override("ko"):
        korean = page_cache.shared("test:language", translation.get_language)
    assert (english, korean) == ("en", "ko")


def test_with_the_cache_off_a_value_is_built_each_time(settings):
    settings.PAGE_CACHE_SECONDS = 0
    calls = []
    page_cache.shared("test:off", lambda: calls.append(1))
    page_cache.shared("test:off", lambda: calls.append(1))
    assert len(calls) == 2


def test_the_lesson_is_read_once_and_every_edit_shows(lesson, user, on_commit, django_assert_num_queries):
    detail(lesson)
    with django_assert_num_queries(0):
        assert detail(lesson, user).lesson.title == lesson.title  # any learner: the same shared lesson
    with on_commit():
        lesson.title = "A new title"
        lesson.save()
    assert detail(lesson).lesson.title == "A new title"
    with on_commit():
        lesson.tags.add(Tag.objects.create(name="Vision", slug="vision"))
    assert [tag.name for tag in detail(lesson).lesson.tags.all()] == ["Vision"]
    with on_commit():
        lesson.links.create(title="A paper", url="https://example.com/paper", position=1)
    assert [link.title for link in detail(lesson).lesson.links.all()] == ["A paper"]


def test_a_lesson_taken_back_to_draft_is_gone_at_once_but_staff_still_see_it(lesson, staff_user, on_commit):
    detail(lesson)
    with on_commit():
        lesson.status = Status.DRAFT
        lesson.save()
    with pytest.raises(Http404):
        detail(lesson)
    assert detail(lesson, staff_user).lesson.pk == lesson.pk


def test_the_catalogue_follows_xp_and_publishing(lessons, on_commit):
    first, second = lessons[0], lessons[1]
    assert progress_selectors.standing_for(None).catalog.by_key[first.key].xp == first.xp
    with on_commit():
        first.xp = first.xp + 7
        first.save()
        second.status = Status.DRAFT
        second.save()
    catalog = progress_selectors.standing_for(None).catalog
    assert catalog.by_key[first.key].xp == first.xp
    assert second.key not in catalog.by_key


def test_the_level_table_and_the_achievements_follow_staff_edits(db, on_commit):
    before = progress_selectors.standing_for(None)
    with on_commit():
        Level.objects.create(number=99, name="Sage of tests", xp_required=999_999)
        Achievement.objects.create(
            code="test-new", name="Brand new", description="Be tested.", kind="lessons_completed", threshold=999
        )
    after = progress_selectors.standing_for(None)
    assert after.levels[-1].name == "Sage of tests"
    assert len(after.levels) == len(before.levels) + 1
    assert after.achievements_total == before.achievements_total + 1


def test_a_learner_sees_the_achievements_they_earn_at_once(user):
    progress_selectors.standing_for(user)
    achievement = Achievement.objects.first()
    # Earned achievements are per learner, never shared: they show at once.
    EarnedAchievement.objects.create(user=user, achievement=achievement, earned_at=timezone.now())
    assert [a.code for a in progress_selectors.standing_for(user).achievements] == [achievement.code]


def test_a_sync_still_merges_a_lesson_published_since_the_keys_were_read(lessons, user):
    draft = lessons[2]
    type(draft).objects.filter(pk=draft.pk).update(status=Status.DRAFT)
    now = timezone.now()
    progress_services.progress_merge(user=user, completed={lessons[0].key: now})  # reads the published keys
    # Published by another process: this one's copy of the keys does not know yet.
    type(draft).objects.filter(pk=draft.pk).update(status=Status.PUBLISHED)
    result = progress_services.progress_merge(user=user, completed={lessons[0].key: now, draft.key: now})
    assert result.added == [draft.key]
    assert result.ignored == []


def test_a_sync_of_progress_already_held_changes_nothing_and_takes_no_lock(lessons, user, django_assert_num_queries):
    completed = {lesson.key: timezone.now() for lesson in lessons}
    progress_services.progress_merge(user=user, completed=completed)
    # The learner's completions, and whether "gone-lesson" is a lesson published since this process
    # read the keys; no lock, no write.
    with django_assert_num_queries(2):
        result = progress_services.progress_merge(user=user, completed=completed | {"gone-lesson": timezone.now()})
    assert (result.added, result.ignored, result.new_achievements) == ([], ["gone-lesson"], [])


def test_a_learner_sees_a_write_made_in_another_process_at_once(lesson, user, client):
    """Another process wrote (a new version in the shared cache); this one read the version a
    moment ago and would trust it for a minute: a request with a session rereads it first."""
    client.force_login(user)
    detail(lesson)  # this process keeps the lesson under the version it read
    type(lesson).objects.filter(pk=lesson.pk).update(title="Retitled elsewhere")
    page_cache._pages().set(page_cache.VERSION_KEY, "written-by-another-process", None)
    assert detail(lesson).lesson.title != "Retitled elsewhere"  # without a session: up to a minute late
    assert "Retitled elsewhere" in client.get(lesson.get_absolute_url()).content.decode()
