"""The benchmark's data set, built at scale with bulk_create (run by bench/run.py, not by hand).

Two phases, each in its own ``manage.py shell`` process, so that the second one's size
measurement cannot be served from a page the first one cached in memory:

- ``small``: on the imported demo content (2 quests, 15 lessons), every learner, the
  reader's progress and notifications, and the measured lesson's 100 comments; then the
  lesson page's size, anonymous and signed in.
- ``large``: the catalogue cloned to 10 quests and 200 lessons, the other 4,900 comments
  (500 of them in deep threads on one lesson), 20,000 completions, 10,000 notifications;
  then the same page's size again. The cache is cleared at the end: bulk writes send no
  signals, so nothing else would tell a cache that the content changed.

Each phase writes what it measured as JSON to $STREAM_BENCH_OUT.
"""

import json
import os
import random
import time
from datetime import timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.utils import timezone
from django.utils.crypto import get_random_string

from bench.names import DEEP_LESSON_SLUG, LESSON_PATH, LESSON_SLUG, READER, SESSION_COOKIE, SYNCER
from comments.models import Comment, Notification
from lessons.markdown import render_comment
from lessons.models import ExternalLink, Lesson, Quest, Status
from progress.models import Achievement, Completion, EarnedAchievement, Profile

QUESTS = 10
LESSONS_PER_QUEST = 20  # 10 x 20 = 200 lessons
LEARNERS = 2_000
COMPLETIONS_PER_LEARNER = 10  # 20,000 completions
COMMENTS = 5_000
MEASURED_COMMENTS = 100
DEEP_COMMENTS = 500
DEEP_THREAD_LENGTH = 12  # replies to replies, deeper than the page indents (MAX_DEPTH)
NOTIFICATIONS = 10_000
READER_COMPLETIONS = 12
READER_NOTIFICATIONS = 40

HOST = "127.0.0.1"
PASSWORD = "bench-password-not-secret"  # noqa: S105 - a throwaway database's learners

BODIES = [
    "Good summary. The *AlexNet* part finally made sense to me.",
    "Is `ReLU` the reason training got so much faster?\n\n> GPUs did the rest",
    "I tried the exercise:\n\n```python\nfor step in milestones:\n    print(step)\n```\n\nDoes this count?",
    "이해가 잘 돼요. Transformer 부분을 한 번 더 읽어 볼게요.",
    "A list of what I took away:\n\n- data\n- compute\n- **architecture**",
    "See [the paper](https://arxiv.org/abs/1706.03762) for the details.",
    "Short one.",
    "Why did recurrence disappear so quickly? " * 6,
]


def _out(data: dict) -> None:
    with open(os.environ["STREAM_BENCH_OUT"], "w") as handle:
        json.dump(data, handle)


def _page_sizes(session_key: str) -> dict:
    """The measured lesson page's HTML bytes, anonymous and signed in (CSP nonce and CSRF token
    have a fixed length, so the sizes are exact)."""
    anonymous = Client().get(LESSON_PATH, HTTP_HOST=HOST)
    signed_in = Client()
    signed_in.cookies[SESSION_COOKIE] = session_key
    reader = signed_in.get(LESSON_PATH, HTTP_HOST=HOST)
    assert anonymous.status_code == 200, anonymous.status_code
    assert reader.status_code == 200, reader.status_code
    # Kept for a diff of what grows with the catalogue (bench/results/, not committed).
    keep = Path(os.environ["STREAM_BENCH_HTML_DIR"])
    lessons = Lesson.objects.published().count()
    (keep / f"lesson-page-{lessons}-lessons-anonymous.html").write_bytes(anonymous.content)
    (keep / f"lesson-page-{lessons}-lessons-signed-in.html").write_bytes(reader.content)
    return {"anonymous": len(anonymous.content), "signed_in": len(reader.content)}


def _thread_parents(count: int, rng: random.Random, *, deep: bool) -> list[int | None]:
    """For each comment, the index of the comment it answers (None: top level); parents come first."""
    parents: list[int | None] = []
    for index in range(count):
        if deep:
            # Chains of DEEP_THREAD_LENGTH: each reply answers the one before it.
            parents.append(None if index % DEEP_THREAD_LENGTH == 0 else index - 1)
        elif index and rng.random() < 0.6:
            parents.append(rng.randrange(index))
        else:
            parents.append(None)
    return parents


def _comments(lesson_ids, count, *, authors, rng, deep=False, start=None, mine=()) -> list[Comment]:
    """``count`` comments on the given lessons (cycled), in threads, created in waves by depth so
    that every parent has its primary key before its replies are inserted."""
    rendered = [(body, render_comment(body)) for body in BODIES]
    parents = _thread_parents(count, rng, deep=deep)
    depth = [0] * count
    for index, parent in enumerate(parents):
        depth[index] = 0 if parent is None else depth[parent] + 1
    start = start or timezone.now() - timedelta(days=90)
    step = (timezone.now() - timedelta(minutes=30) - start) / max(count, 1)
    objects: list[Comment] = []
    for index in range(count):
        body, html = rendered[index % len(rendered)]
        roll = rng.random()
        objects.append(
            Comment(
                lesson_id=lesson_ids[index % len(lesson_ids)],
                author_id=rng.choice(authors),
                body=body,
                body_html=html,
                created_at=start + step * index,
                is_deleted=roll < 0.02,
                is_hidden=0.02 <= roll < 0.03,
            )
        )
    for index in mine:  # the reader's own comments; the last ones are still editable
        objects[index].author_id = authors[0]
        objects[index].is_deleted = objects[index].is_hidden = False
    if mine:
        objects[mine[-1]].created_at = timezone.now() - timedelta(minutes=2)
    for level in range(max(depth, default=-1) + 1):
        wave = [index for index in range(count) if depth[index] == level]
        for index in wave:
            parent = parents[index]
            if parent is not None:
                objects[index].parent_id = objects[parent].pk
                objects[index].lesson_id = objects[parent].lesson_id
        Comment.objects.bulk_create([objects[index] for index in wave], batch_size=500)
    return objects


def small() -> None:
    started = time.monotonic()
    rng = random.Random(13)
    User = get_user_model()
    password = make_password(PASSWORD)  # hashed once: hashing 2,000 times would take minutes
    now = timezone.now()
    users = [User(username=READER, email="reader@bench.example", password=password, date_joined=now)]
    users.append(User(username=SYNCER, email="syncer@bench.example", password=password, date_joined=now))
    users += [
        User(username=f"learner{i:04d}", email=f"learner{i:04d}@bench.example", password=password, date_joined=now)
        for i in range(LEARNERS)
    ]
    with transaction.atomic():
        User.objects.bulk_create(users, batch_size=1000)
        users = list(User.objects.order_by("pk"))
        Profile.objects.bulk_create(
            [Profile(user=user, display_name=user.username.capitalize()) for user in users], batch_size=1000
        )
        reader = next(user for user in users if user.username == READER)
        lessons = list(Lesson.objects.published().in_order())
        done = lessons[:READER_COMPLETIONS]
        Completion.objects.bulk_create(
            # One a day: the reader has a streak.
            [
                Completion(user=reader, lesson=lesson, completed_at=now - timedelta(days=i))
                for i, lesson in enumerate(done)
            ]
        )
        EarnedAchievement.objects.bulk_create(
            [EarnedAchievement(user=reader, achievement=a, earned_at=now) for a in Achievement.objects.all()[:3]]
        )
        measured = Lesson.objects.get(slug=LESSON_SLUG)
        authors = [reader.pk] + [user.pk for user in users[2:202]]
        comments = _comments(
            [measured.pk], MEASURED_COMMENTS, authors=authors, rng=rng, mine=(3, 40, MEASURED_COMMENTS - 1)
        )
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient=reader,
                    comment=comment,
                    kind=Notification.Kind.REPLY,
                    created_at=comment.created_at,
                    read_at=None if i < 10 else now,
                )
                for i, comment in enumerate(reversed(comments[:READER_NOTIFICATIONS]))
            ]
        )
    sessions = {}
    for username in (READER, SYNCER):
        client = Client()
        client.force_login(User.objects.get(username=username), backend="django.contrib.auth.backends.ModelBackend")
        sessions[username] = client.cookies[SESSION_COOKIE].value
    _out(
        {
            "sessions": sessions,
            "csrf": get_random_string(32),  # a valid CSRF secret: cookie and header carry it
            "sizes": _page_sizes(sessions[READER]),
            "lessons": Lesson.objects.published().count(),
            "seconds": round(time.monotonic() - started, 1),
        }
    )


def _clone_catalogue() -> None:
    """Grow the demo content to QUESTS x LESSONS_PER_QUEST published lessons by cloning its lessons
    (rendered HTML, tags and links included) with numbered keys and slugs."""
    sources = list(Lesson.objects.published().in_order().prefetch_related("tags", "links"))
    quests = list(Quest.objects.order_by("order", "pk"))
    quests += Quest.objects.bulk_create(
        [
            Quest(title=f"Bench quest {n}", slug=f"bench-quest-{n}", summary="A cloned quest.", order=100 + n)
            for n in range(len(quests) + 1, QUESTS + 1)
        ]
    )
    clones: list[tuple[Lesson, Lesson]] = []
    number = 0
    for quest in quests:
        have = list(Lesson.objects.filter(quest=quest).values_list("position", flat=True))
        for position in range(max(have, default=0) + 1, max(have, default=0) + 1 + LESSONS_PER_QUEST - len(have)):
            source = sources[number % len(sources)]
            number += 1
            clone = Lesson(
                quest=quest,
                position=position,
                key=f"bench-{number:03d}",
                title=f"{source.title} ({number})",
                slug=f"{source.slug}-{number:03d}",
                summary=source.summary,
                body=source.body,
                body_html=source.body_html,
                toc_html=source.toc_html,
                exercise=source.exercise,
                exercise_html=source.exercise_html,
                minutes=source.minutes,
                xp=source.xp,
                status=Status.PUBLISHED,
                published_at=source.published_at,
            )
            clones.append((source, clone))
    Lesson.objects.bulk_create([clone for _source, clone in clones])
    Through = Lesson.tags.through
    Through.objects.bulk_create(
        [Through(lesson_id=clone.pk, tag_id=tag.pk) for source, clone in clones for tag in source.tags.all()]
    )
    ExternalLink.objects.bulk_create(
        [
            ExternalLink(lesson=clone, title=link.title, url=link.url, position=link.position)
            for source, clone in clones
            for link in source.links.all()
        ]
    )


def large() -> None:
    started = time.monotonic()
    rng = random.Random(14)
    User = get_user_model()
    with transaction.atomic():
        _clone_catalogue()
        lesson_ids = list(Lesson.objects.published().in_order().values_list("pk", flat=True))
        learners = list(User.objects.filter(username__startswith="learner").values_list("pk", flat=True))
        Completion.objects.bulk_create(
            [
                Completion(user_id=learner, lesson_id=lesson, completed_at=timezone.now() - timedelta(hours=i))
                for learner in learners
                for i, lesson in enumerate(rng.sample(lesson_ids, COMPLETIONS_PER_LEARNER))
            ],
            batch_size=2000,
        )
        deep = Lesson.objects.get(slug=DEEP_LESSON_SLUG).pk
        _comments([deep], DEEP_COMMENTS, authors=learners, rng=rng, deep=True)
        measured = Lesson.objects.get(slug=LESSON_SLUG).pk
        others = [pk for pk in lesson_ids if pk not in (deep, measured)]
        rest = COMMENTS - Comment.objects.count()
        _comments(others, rest, authors=learners, rng=rng)
        reader = User.objects.get(username=READER).pk
        comment_ids = list(Comment.objects.values_list("pk", flat=True))
        pairs: set[tuple[int, int]] = set()
        wanted = NOTIFICATIONS - Notification.objects.count()
        while len(pairs) < wanted:
            pairs.add((rng.choice(learners), rng.choice(comment_ids)))
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=recipient,
                    comment_id=comment,
                    kind=rng.choice(["reply", "comment"]),
                    read_at=None if rng.random() < 0.3 else timezone.now(),
                )
                for recipient, comment in sorted(pairs)
            ],
            batch_size=2000,
        )
    cache.clear()  # bulk writes send no signals: drop every cached page and fragment
    sessions = json.loads(os.environ["STREAM_BENCH_SESSIONS"])
    # The whole catalogue, as the browser's localStorage would send it to POST /api/progress/sync.
    catalogue = Lesson.objects.published().in_order().values_list("key", flat=True)
    moment = (timezone.now() - timedelta(days=1)).isoformat()
    _out(
        {
            "sizes": _page_sizes(sessions[READER]),
            "sync_body": json.dumps({"version": 1, "completed": dict.fromkeys(catalogue, moment)}),
            "counts": {
                "quests": Quest.objects.published().count(),
                "lessons": Lesson.objects.published().count(),
                "learners": User.objects.count(),
                "completions": Completion.objects.count(),
                "comments": Comment.objects.count(),
                "comments_on_measured_lesson": Comment.objects.filter(lesson_id=measured).count(),
                "comments_on_deep_lesson": Comment.objects.filter(lesson_id=deep).count(),
                "notifications": Notification.objects.count(),
                "reader": reader,
            },
            "seconds": round(time.monotonic() - started, 1),
        }
    )
