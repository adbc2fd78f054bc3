"""The files every site is asked for: /robots.txt, /favicon.ico and a sitemap of every public page."""

import pytest
from django.urls import reverse

from lessons.models import Status, Tag
from tests.conftest import make_quest


def test_robots_txt_points_crawlers_at_the_sitemap_and_away_from_personal_pages(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "User-agent: *" in text
    for private in ("/admin/", "/accounts/", "/api/", "/dashboard/", "/settings/", "/notifications/"):
        assert f"Disallow: {private}\n" in text
    assert "Disallow: /quests/" not in text
    assert "Sitemap: http://testserver/sitemap.xml" in text


def test_favicon_ico_redirects_to_a_real_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.ico")
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    assert b"".join(icon.streaming_content)[:4] == b"\x00\x00\x01\x00"  # the ICO header


@pytest.mark.django_db
def test_the_sitemap_lists_home_quests_tags_and_lessons_but_no_drafts(client):
    quest = make_quest("visible-quest", lessons=2)
    lesson, draft = quest.lessons.order_by("position")
    draft.status = Status.DRAFT
    draft.save()
    lesson.tags.add(Tag.objects.create(name="visible", slug="visible-tag"))
    draft.tags.add(Tag.objects.create(name="draft only", slug="draft-only-tag"))
    empty = make_quest("empty-quest", lessons=0)
    text = client.get(reverse("sitemap")).content.decode()
    assert "<loc>http://testserver/</loc>" in text
    assert f"http://testserver{quest.get_absolute_url()}" in text
    assert f"http://testserver{lesson.get_absolute_url()}" in text
    assert "http://testserver/tags/visible-tag/" in text
    assert draft.get_absolute_url() not in text
    assert "draft-only-tag" not in text
    assert empty.get_absolute_url() not in text
