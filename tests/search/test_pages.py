"""The search page and the header box: what they show, in both languages, safely, and at what cost."""

import re

import pytest
from django.urls import reverse

from lessons.models import Quest, Status
from progress.services import lesson_complete
from search.views import RESULTS_SHOWN
from tests.search.conftest import make_lesson

URL = "/search/"  # SPEC 11


def main(response) -> str:
    html = response.content.decode()
    return html[html.index('id="main"') :]


@pytest.fixture
def catalogue(history):
    """A quest of four lessons, the third a draft: learners see three, staff four."""
    lessons = [
        make_lesson(history, 1, title="AlexNet", summary="ImageNet 대회 이야기야.", body="GPU 두 장으로 학습했어."),
        make_lesson(history, 2, title="DQN", body="벽돌깨기를 pixel 로 배웠어."),
        make_lesson(history, 3, title="Draft Net", body="아직 쓰는 중인 역사 이야기.", status=Status.DRAFT),
        make_lesson(history, 4, title="History Arc", body="Modern deep learning 의 역사는 짧아.", tags=["history"]),
    ]
    return {lesson.title: lesson for lesson in lessons}


def test_url_name_and_path_are_stable():
    assert reverse("search:results") == URL


def test_results_show_quest_place_and_highlighted_snippet(client, catalogue):
    html = main(client.get(URL, {"q": "역사"}))
    arc = catalogue["History Arc"]
    assert f'data-lesson-key="{arc.key}"' in html
    assert f'href="{arc.get_absolute_url()}"' in html
    assert f'href="{arc.quest.get_absolute_url()}">딥러닝의 역사</a>' in html
    # Counted as the lesson page counts: the draft is not among a learner's lessons.
    assert "Lesson 03 of 3" in html
    assert "Modern deep learning 의 <mark>역사</mark>는 짧아." in html
    assert "Draft Net" not in html


def test_place_in_quest_matches_the_lesson_page_for_learners_and_staff(client, staff_user, catalogue):
    arc = catalogue["History Arc"]
    for viewer in (None, staff_user):
        if viewer:
            client.force_login(viewer)
        page = client.get(arc.get_absolute_url()).content.decode()
        place = re.search(r"Lesson \d+ of \d+", page).group(0)
        assert place in main(client.get(URL, {"q": "history arc"}))
    assert place == "Lesson 04 of 4"  # staff count the draft


def test_staff_find_drafts_marked_as_drafts(client, staff_user, catalogue):
    client.force_login(staff_user)
    html = main(client.get(URL, {"q": "draft"}))
    assert "<mark>Draft</mark> Net" in html
    assert 'class="badge badge-draft"' in html


def test_title_matches_are_highlighted_too(client, catalogue):
    html = main(client.get(URL, {"q": "alexnet"}))
    assert "<mark>AlexNet</mark>" in html


def test_html_in_lessons_and_in_the_query_is_shown_as_text(client, history):
    make_lesson(history, 1, title="<b>Bold</b> claims", body='Never <script>alert("x")</script> & "here".')
    html = client.get(URL, {"q": "<b>bold</b>"}).content.decode()
    assert "<b>" not in html
    assert "&lt;<mark>b&gt;Bold&lt;/b</mark>&gt; claims" in html  # the edge &lt; and &gt; are not part of the term
    assert 'value="&lt;b&gt;bold&lt;/b&gt;"' in html  # the query, back in the header box
    assert "“&lt;b&gt;bold&lt;/b&gt;”" in html
    html = client.get(URL, {"q": "alert"}).content.decode()
    assert "<script>alert" not in html
    assert "<mark>alert</mark>(&quot;x&quot;) &amp; &quot;here&quot;." in html


def test_empty_query_invites_a_search(client, catalogue):
    html = main(client.get(URL))
    assert "Type a word in the search box above" in html
    assert "<ol" not in html


def test_no_results_says_so_and_links_to_the_quests(client, catalogue):
    html = main(client.get(URL, {"q": "얼룩말"}))
    assert "No lesson matches “얼룩말”." in html
    assert f'href="{reverse("lessons:home")}"' in html


def test_the_page_speaks_korean(client, catalogue):
    html = client.get(URL, {"q": "역사"}, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "“역사” 검색 결과" in html
    assert "3개 중 03번째 레슨" in html
    assert 'placeholder="레슨 검색"' in html
    html = client.get(URL, {"q": "얼룩말"}, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "맞는 레슨이 없어요" in html


def test_signed_in_learner_sees_done_marks(client, user, catalogue):
    lesson_complete(user=user, lesson=catalogue["DQN"])
    client.force_login(user)
    html = main(client.get(URL, {"q": "벽돌깨기"}))
    marks = re.findall(r'<span class="done-mark" data-done-mark ?(hidden)?>', html)
    assert marks == [""]  # shown: no hidden attribute
    html = main(client.get(URL, {"q": "alexnet"}))
    assert re.findall(r'<span class="done-mark" data-done-mark ?(hidden)?>', html) == ["hidden"]


def test_anonymous_results_carry_what_progress_js_marks(client, catalogue):
    html = main(client.get(URL, {"q": "역사"}))
    row = re.search(r'<li class="search-result" data-lesson-key="[^"]+">.*?</li>', html, re.DOTALL).group(0)
    assert "data-done-mark hidden" in row  # the browser shows it from localStorage


def test_results_are_capped_and_say_so(client, history):
    for position in range(1, RESULTS_SHOWN + 3):
        make_lesson(history, position, title=f"Attention {position}")
    html = main(client.get(URL, {"q": "attention"}))
    assert html.count('class="search-result"') == RESULTS_SHOWN
    assert f"The best {RESULTS_SHOWN} matches are shown." in html


@pytest.mark.parametrize("path", ["/", "/quests/history/", "/search/?q=x", "/accounts/login/"])
def test_every_page_has_the_search_box_in_its_header(client, catalogue, path):
    html = client.get(path).content.decode()
    header = html[html.index("<header") : html.index("</header>")]
    assert '<form class="site-search" role="search" action="/search/" method="get">' in header
    assert '<label class="visually-hidden" for="site-search">Search lessons</label>' in header
    assert 'name="q"' in header
    assert 'aria-keyshortcuts="/"' in header


# The search page's own queries (2: rank, then read), plus progress's standing area (anonymous: 3 queries; signed in: 6;
# 3 fewer each in production, where the catalogue, levels and achievements are read once per content version),
# and for a signed-in learner the session and user (2) and comments' unread count in the header (1).
ANONYMOUS_QUERIES = 2 + 3
SIGNED_IN_QUERIES = 2 + 6 + 2 + 1


def _fill(size: int) -> None:
    for number in range(size):
        quest = Quest.objects.create(title=f"Quest {number}", slug=f"quest-{number}", order=number)
        for position in range(1, 11):
            make_lesson(
                quest,
                position,
                title=f"Transformer {number}-{position}",
                summary="attention 을 설명해.",
                body="Transformer 는 역사를 바꿨어. " * 5,
                tags=["attention", f"t{position}"],
            )


@pytest.mark.parametrize("quests", [1, 20])
@pytest.mark.parametrize("query", ["transformer", "역사 attention"])
def test_a_search_costs_the_same_queries_for_10_or_200_lessons(client, user, django_assert_num_queries, quests, query):
    _fill(quests)
    with django_assert_num_queries(ANONYMOUS_QUERIES):
        html = client.get(URL, {"q": query}).content.decode()
    assert html.count('class="search-result"') == min(RESULTS_SHOWN, quests * 10)
    client.force_login(user)
    with django_assert_num_queries(SIGNED_IN_QUERIES):
        html = client.get(URL, {"q": query}).content.decode()
    assert html.count('class="search-result"') == min(RESULTS_SHOWN, quests * 10)


@pytest.mark.parametrize("query", ["\x00", "his\x00tory", "\x00" * 5000, "a\x1bb", "\x7f\x9f"])
def test_control_characters_in_the_query_are_word_breaks_not_an_error(client, db, query):
    """Found by tests/test_hostile_input.py: a NUL made SQLite's FTS5 fail ("unterminated string"), a 500."""
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
