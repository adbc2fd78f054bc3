"""Query budgets for every page the benchmark measures (bench/README.md, issue 13), exact, at a small
and a large data set, anonymous and signed in, with the page cache off (as the rest of the suite runs)
and on (as production runs). The large set must cost exactly what the small one does: a page whose
queries grow with lessons, comments or completions fails here, long before a benchmark would show it.
"""

import itertools
import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comments.models import Comment, LessonSubscription, Notification
from infra import page_cache
from lessons.models import Lesson
from progress import services
from progress.models import Profile
from tests.conftest import make_quest, make_user

# (page, signed in) -> queries, with the page cache off | on, rendered | on, kept. Off, everything is
# read each time; on, what every viewer shares is read once per content version (docs/decisions.md):
# anonymous pages are served whole, and a learner's page reads the content version and the learner's
# own (so that it sees every write at once, infra.middleware.ContentVersionMiddleware) and what is
# theirs. Kept: the learner asks again with nothing of theirs changed, and their copy is served.
BUDGETS = {
    ("lesson", False): (8, 0, 0),  # lesson, tags, links, siblings; catalogue, levels, achievements; the thread
    ("home", False): (5, 0, 0),
    ("quest", False): (7, 0, 0),
    ("healthz", False): (1, 1, 1),
    # Session, user, 🔔; catalogue, levels, achievements (shared), earned, profile, completions;
    # lesson, tags, links, siblings (shared); verified email, subscription; the thread (shared); flags.
    ("lesson", True): (17, 10, KEPT := 2),  # kept: session, both versions (one read); no user
    ("dashboard", True): (9, 7, KEPT),  # session, user, 🔔, the standing (recent completions are in it)
    ("progress", True): (8, 6, KEPT),
    # Progress the account already holds: session, user, published keys (shared), the learner's
    # completions, then the standing (catalogue, levels, achievements shared; earned, profile,
    # completions). No lock, no write. A POST is never kept, but the standing it answers with is.
    ("sync", True): (10, 7, 4),  # kept: the standing, until something of theirs changes
}


def build(size: str) -> dict:
    """The small set: one quest of 3 lessons, 5 comments. The large: 4 quests, 63 lessons, 150
    comments in deep threads on the measured lesson, 40 completions, 30 notifications."""
    large = size == "large"
    quest = make_quest("measured", lessons=3)
    if large:
        for number in range(3):
            make_quest(f"more-{number}", lessons=20, order=number + 1)
    lesson = quest.lessons.get(position=2)
    reader, others = make_user("reader@example.com"), [make_user(f"c{i}@example.com") for i in range(3)]
    Profile.objects.create(user=reader, display_name="Reader")
    made: list[Comment] = []
    for i, author in zip(range(150 if large else 5), itertools.cycle([*others, reader]), strict=False):
        made.append(Comment.objects.create(lesson=lesson, author=author, body=f"Comment {i}",
                                           parent=made[-1] if made and i % 12 else None))  # fmt: skip
    LessonSubscription.objects.create(user=reader, lesson=lesson, mode="all")
    replies = [c for c in made if c.parent and c.parent.author == reader and c.author != reader]
    Notification.objects.bulk_create([Notification(recipient=reader, comment=c, kind="reply") for c in replies])
    published = list(Lesson.objects.published().order_by("pk"))[: 40 if large else 2]
    now = timezone.now()
    services.progress_merge(user=reader, completed={x.key: now - timedelta(days=i) for i, x in enumerate(published)})
    body = json.dumps({"completed": {x.key: now.isoformat() for x in published}})
    return {"lesson": lesson, "reader": reader, "sync_body": body}


def request(page: str, data: dict, client: Client):
    lesson = data["lesson"]
    if page == "sync":
        return client.post("/api/progress/sync", data["sync_body"], content_type="application/json")
    path = {
        "lesson": lesson.get_absolute_url(),
        "home": "/",
        "quest": lesson.quest.get_absolute_url(),
        "healthz": "/healthz",
        "dashboard": "/dashboard/",
        "progress": "/api/progress/",
    }[page]
    return client.get(path)


@pytest.fixture(params=["off", "on", "kept"])
def page_cache_setting(request, settings):
    if request.param != "off":
        settings.PAGE_CACHE_SECONDS = 60
        settings.PAGE_CACHE_VERSION_SECONDS = 60
    page_cache._local.version_read_at = float("-inf")
    page_cache._local.pages.clear()
    page_cache._local.learner_pages.clear()
    page_cache._local.shared.clear()
    yield request.param
    page_cache._local.shared.clear()
    page_cache._local.pages.clear()
    page_cache._local.learner_pages.clear()


@pytest.mark.parametrize("size", ["small", "large"])
@pytest.mark.parametrize(("page", "signed_in"), list(BUDGETS))
def test_each_page_costs_its_budget_whatever_the_data(db, page_cache_setting, size, page, signed_in):
    data = build(size)
    client = Client()
    if signed_in:
        client.force_login(data["reader"])
    assert request(page, data, client).status_code == 200  # warm: the session, the shared values
    if page_cache_setting == "on":
        page_cache.learner_changed(data["reader"].pk)  # as after a write of theirs: their page is rendered
    with CaptureQueriesContext(connection) as queries:
        response = request(page, data, client)
    assert response.status_code == 200
    off, on, kept = BUDGETS[page, signed_in]
    expected = {"off": off, "on": on, "kept": kept}[page_cache_setting]
    assert len(queries) == expected, "\n".join(q["sql"][:120] for q in queries.captured_queries)
