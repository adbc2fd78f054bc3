"""The server's side of offline quests (SPEC 12): the service worker at the root, the manifest,
the offline page, the CSP that lets them run, and what the pages hand the worker."""

import json
import re
import struct
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from lessons.models import Status

STATIC = Path(__file__).resolve().parents[2] / "static"
WORKER = (STATIC / "sw.js").read_text()


def worker_pattern(name: str) -> re.Pattern:
    """A URL pattern the worker holds (``const NAME = /…/;``), as a Python regex."""
    source = re.search(rf"const {name} = /(.+?)/;", WORKER).group(1)
    return re.compile(source.replace("\\/", "/"))


@pytest.mark.django_db
def test_the_worker_is_served_from_the_root_fresh_and_as_javascript(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Cache-Control"] == "no-cache"
    assert response.content == (STATIC / "sw.js").read_bytes()
    assert client.post("/sw.js").status_code == 405


@pytest.mark.django_db
def test_every_page_allows_same_origin_workers_and_manifests_only(client):
    policy = client.get("/")["Content-Security-Policy"]
    assert "worker-src 'self'" in policy
    assert "manifest-src 'self'" in policy


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_manifest_names_stream_and_points_at_real_icons(client, language):
    response = client.get("/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE=language)
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == manifest["short_name"] == "Stream"
    assert manifest["start_url"] == manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["lang"] == language
    assert manifest["theme_color"] == "#ffffff"  # the stylesheet's --bg, light theme
    sizes = {}
    for icon in manifest["icons"]:
        path = Path(finders.find(icon["src"].removeprefix("/static/")))
        if icon["type"] == "image/png":
            head = path.read_bytes()[:24]
            assert head[:8] == b"\x89PNG\r\n\x1a\n"
            sizes[icon["sizes"]] = struct.unpack(">II", head[16:24])
    assert sizes == {"192x192": (192, 192), "512x512": (512, 512)}


@pytest.mark.django_db
def test_pages_link_the_manifest_and_carry_the_hidden_offline_banner_the_worker_reveals(client):
    html = client.get("/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    # The worker turns this exact markup into the visible, dated banner of a stored copy.
    assert "data-offline-banner hidden>" in html
    assert "<time data-offline-date></time>" in html
    assert '"data-offline-banner hidden"' in WORKER
    assert '"<time data-offline-date></time>"' in WORKER


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "heading"), [("en", "You're offline"), ("ko", "오프라인이에요")])
def test_the_offline_page_has_the_list_the_worker_fills(client, language, heading):
    response = client.get(reverse("offline"), HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    assert response.status_code == 200
    assert f"<h1>{heading}</h1>" in html
    assert '<ul class="offline-list" data-offline-list></ul>' in html  # replaced by static/sw.js
    assert "data-offline-empty>" in html
    assert '<meta name="robots" content="noindex">' in html


def test_the_workers_url_patterns_match_the_sites_lesson_and_quest_addresses():
    lesson = reverse("lessons:lesson", kwargs={"quest_slug": "a-quest", "slug": "a-lesson"})
    quest = reverse("lessons:quest", kwargs={"slug": "a-quest"})
    assert worker_pattern("LESSON").fullmatch(lesson)
    assert not worker_pattern("LESSON").fullmatch(quest)
    assert worker_pattern("QUEST").fullmatch(quest)
    assert not worker_pattern("QUEST").fullmatch(lesson)


@pytest.mark.django_db
def test_the_quest_page_lists_its_published_lessons_and_their_versions_for_the_worker(client, quest, lessons):
    lessons[2].status = Status.DRAFT
    lessons[2].save()
    html = client.get(quest.get_absolute_url()).content.decode()
    listed = json.loads(re.search(r'<script id="offline-lessons" type="application/json">(.*?)</script>', html)[1])
    assert listed == [{"url": lesson.get_absolute_url(), "version": lesson.content_version} for lesson in lessons[:2]]
    assert "data-offline-save" in html
    assert "/static/js/offline.js" in html


@pytest.mark.django_db
def test_a_lessons_content_version_changes_when_it_is_saved(client, lessons):
    lesson = lessons[0]
    before = lesson.content_version
    assert f'data-content-version="{before}"' in client.get(lesson.get_absolute_url()).content.decode()
    lesson.title = "Renamed"
    lesson.save()
    assert lesson.content_version != before
    assert f'data-content-version="{lesson.content_version}"' in client.get(lesson.get_absolute_url()).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_save_box_sentences_keep_their_placeholders_in_both_languages(client, quest, lessons, language):
    html = client.get(quest.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    box = re.search(r"<section class=\"offline-save\"[^>]*>", html)[0]
    for name, placeholders in {
        "saving": ("done", "total"),
        "saved": ("count", "total", "size"),
        "skipped": ("skipped",),
    }.items():
        sentence = re.search(rf'data-{name}="([^"]*)"', box)[1]
        assert all(f"%({placeholder})s" in sentence for placeholder in placeholders), sentence
    if language == "ko":
        assert "오프라인용으로 저장" in html
        assert "저장했어요" in box
