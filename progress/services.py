"""Every write to learner progress, with its rules.

Each service that changes a learner's progress first locks that learner's Profile row
(``select_for_update``): two devices syncing at once queue up instead of racing, so the
lists of what was added and earned are exact. The unique constraints on Completion and
EarnedAchievement stay the last line of defence (``ignore_conflicts``), so even a writer
that skips the lock can neither fail nor double-count.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from infra import page_cache
from lessons.models import Lesson, is_lesson_key
from progress.models import Achievement, AchievementKind, Completion, EarnedAchievement, Profile
from progress.rules import LevelInfo
from progress.selectors import catalog, learner_standing, standing_for

# Before this, a completion time is a broken clock (a device at 1970), not a lesson read on Stream.
EARLIEST_PLAUSIBLE = datetime(2000, 1, 1, tzinfo=UTC)


class LessonNotPublished(Exception):
    """Only published lessons count towards progress."""


def _lock_profile(user) -> Profile:
    """The learner's profile, created if missing, locked until the transaction ends."""
    profile, _created = Profile.objects.select_for_update().get_or_create(user=user)
    return profile


def _award(*, user, values: dict[str, int]) -> list[EarnedAchievement]:
    """Award every achievement whose rule's count is reached and the learner lacks (2 queries at most)."""
    reached = Q(pk__in=[])
    for kind, value in values.items():
        reached |= Q(kind=kind, threshold__lte=value)
    due = list(Achievement.objects.filter(reached).exclude(earned__user=user).order_by("order", "pk"))
    if not due:
        return []
    now = timezone.now()
    earned = [EarnedAchievement(user=user, achievement=achievement, earned_at=now) for achievement in due]
    EarnedAchievement.objects.bulk_create(earned, ignore_conflicts=True)
    page_cache.learner_changed(user.pk)  # bulk_create sends no signal
    return earned


@transaction.atomic
def achievements_award(*, user, kind: str, value: int) -> list[EarnedAchievement]:
    """Award the achievements of one rule kind that ``value`` (the learner's count for it) reaches.

    Other apps report their own facts here (comments: ``comments_posted`` with the number
    of comments the learner has posted; reports, through ``lessons.signals.report_submitted``:
    ``report_submitted``), so progress never imports comments. Returns only what was newly
    earned; awarding again is a no-op."""
    if kind not in AchievementKind.values:
        raise ValueError(f"Unknown achievement kind: {kind!r}")
    _lock_profile(user)
    return _award(user=user, values={kind: value})


def _progress_counts(*, user, profile: Profile) -> dict[str, int]:
    """The learner's counts for the progress rules of achievement (2 queries)."""
    standing = learner_standing(user=user, catalog=catalog(), time_zone=profile.time_zone)
    return standing.achievement_counts()


@transaction.atomic
def lesson_complete(*, user, lesson: Lesson) -> list[EarnedAchievement]:
    """Mark a lesson complete; completing it again does nothing. Returns newly earned achievements."""
    if not lesson.is_public:
        raise LessonNotPublished(lesson.key)
    profile = _lock_profile(user)
    _completion, created = Completion.objects.get_or_create(
        user=user, lesson=lesson, defaults={"completed_at": timezone.now()}
    )
    if not created:
        return []
    return _award(user=user, values=_progress_counts(user=user, profile=profile))


@transaction.atomic
def lesson_uncomplete(*, user, lesson: Lesson) -> None:
    """Undo a completion. Achievements already earned stay earned (they were awarded once)."""
    _lock_profile(user)
    Completion.objects.filter(user=user, lesson=lesson).delete()


@dataclass(frozen=True)
class MergeResult:
    added: list[str]
    ignored: list[str]
    new_achievements: list[EarnedAchievement]


def progress_merge(*, user, completed: dict[str, datetime]) -> MergeResult:
    """Merge a device's local progress into the account: a union, in one transaction, in bulk.

    A lesson completed on either side is completed; its time is the earlier of the two;
    times in the future become now; keys of unknown or unpublished lessons, and entries
    whose time is implausibly early (a device clock at 1970), are ignored and listed back
    while the rest merges. Nothing is removed, so the same payload twice changes nothing.

    That is also what a device almost always sends: progress the account already holds. It is
    answered from one read (the learner's completions, over the published lessons' keys read once
    per content version), without the learner's lock (on SQLite, the database's one write lock),
    so re-sent progress never queues behind other learners' writes. Anything to change is decided
    again from fresh rows, under the lock."""
    now = timezone.now()
    incoming = {key: min(moment, now) for key, moment in completed.items() if moment >= EARLIEST_PLAUSIBLE}
    # Only slugs can be lesson keys; anything else (a NUL byte, say) is unknown without asking the database.
    plausible = [key for key in incoming if is_lesson_key(key)]
    published = page_cache.shared("progress:lesson-ids", _published_lesson_ids)
    lesson_ids = {key: published[key] for key in plausible if key in published}
    added, earlier = _merge_plan(user=user, incoming=incoming, lesson_ids=lesson_ids)
    unknown = [key for key in plausible if key not in published]
    # Keys this copy does not know may name a lesson published since: then read, as below.
    if not (added or earlier or (unknown and Lesson.objects.published().filter(key__in=unknown).exists())):
        return MergeResult(
            added=[], ignored=sorted(key for key in completed if key not in lesson_ids), new_achievements=[]
        )
    lesson_ids = dict(Lesson.objects.published().filter(key__in=plausible).values_list("key", "id"))
    ignored = sorted(key for key in completed if key not in lesson_ids)
    return _merge(user=user, incoming=incoming, lesson_ids=lesson_ids, ignored=ignored)


def _published_lesson_ids() -> dict[str, int]:
    return dict(Lesson.objects.published().values_list("key", "id"))


def _merge_plan(
    *, user, incoming: dict[str, datetime], lesson_ids: dict[str, int]
) -> tuple[list[str], list[Completion]]:
    """What merging would change: lessons to add, and completions to move earlier (1 query)."""
    # All of the learner's completions (no more rows than lessons): cheaper than naming 200 ids.
    existing = {
        lesson_id: (pk, moment)
        for pk, lesson_id, moment in Completion.objects.filter(user=user).values_list("pk", "lesson_id", "completed_at")
    }
    added, earlier = [], []
    for key, lesson_id in lesson_ids.items():
        if lesson_id not in existing:
            added.append(key)
        elif incoming[key] < existing[lesson_id][1]:
            earlier.append(Completion(pk=existing[lesson_id][0], completed_at=incoming[key]))
    return added, earlier


@transaction.atomic
def _merge(*, user, incoming: dict[str, datetime], lesson_ids: dict[str, int], ignored: list[str]) -> MergeResult:
    profile = _lock_profile(user)
    added, earlier = _merge_plan(user=user, incoming=incoming, lesson_ids=lesson_ids)  # again, under the lock
    if added:
        Completion.objects.bulk_create(
            [Completion(user=user, lesson_id=lesson_ids[key], completed_at=incoming[key]) for key in added],
            ignore_conflicts=True,
        )
    if earlier:
        Completion.objects.bulk_update(earlier, ["completed_at"])
    if added or earlier:
        page_cache.learner_changed(user.pk)  # bulk writes send no signal
    new_achievements = (
        _award(user=user, values=_progress_counts(user=user, profile=profile)) if added or earlier else []
    )
    return MergeResult(added=sorted(added), ignored=ignored, new_achievements=new_achievements)


@dataclass(frozen=True)
class MarkOutcome:
    new_achievements: list[EarnedAchievement]
    level_before: LevelInfo
    level_after: LevelInfo


@transaction.atomic
def lesson_mark(*, user, lesson: Lesson, done: bool) -> MarkOutcome:
    """Set a lesson's state to what the learner asked for (the no-JavaScript button), saying
    what it earned and whether the level changed, so the page can announce it."""
    before = standing_for(user).level
    earned = lesson_complete(user=user, lesson=lesson) if done else []
    if not done:
        lesson_uncomplete(user=user, lesson=lesson)
    return MarkOutcome(new_achievements=earned, level_before=before, level_after=standing_for(user).level)


@dataclass(frozen=True)
class ProfileUpdate:
    profile: Profile
    new_achievements: list[EarnedAchievement]


@transaction.atomic
def profile_update(
    *, user, display_name: str, time_zone: str, email_on_reply: bool, language: str = ""
) -> ProfileUpdate:
    """Save the learner's settings. An empty ``language`` keeps the one already kept (every mail uses
    it). A new time zone moves the edges of their days, so the streak achievements are checked again
    with the days counted in it."""
    profile = _lock_profile(user)
    zone_changed = profile.time_zone != time_zone
    profile.display_name = display_name
    profile.time_zone = time_zone
    profile.email_on_reply = email_on_reply
    fields = ["display_name", "time_zone", "email_on_reply"]
    if language:
        profile.language = language
        fields.append("language")
    profile.save(update_fields=fields)
    earned: list[EarnedAchievement] = []
    if zone_changed:
        streak = learner_standing(user=user, catalog=catalog(), time_zone=time_zone).longest_streak
        earned = achievements_award(user=user, kind=AchievementKind.STREAK_DAYS, value=streak)
    return ProfileUpdate(profile=profile, new_achievements=earned)


@transaction.atomic
def account_delete(*, user) -> None:
    """Delete the account and everything that cascades from it (profile, progress, achievements).

    Other apps decide what outlives it through their foreign keys: comments are kept
    authorless ("[deleted]") and reports lose their reporter (SET_NULL)."""
    user.delete()
