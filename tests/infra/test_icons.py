"""The site's icons: inline SVG by name, hidden beside words or named when alone, never an emoji."""

import re

from django.template import Context, Template

from infra.icons import ACHIEVEMENT_ICONS, ICONS, icon_svg

EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf]")


def render(source: str, **context) -> str:
    return Template("{% load icons %}" + source).render(Context(context))


def test_an_icon_beside_words_is_hidden_from_screen_readers():
    html = render('{% icon "trophy" %} Completionist')
    assert html.startswith('<svg class="icon" aria-hidden="true" focusable="false" width="24" height="24"')
    assert 'viewBox="0 0 24 24" fill="none" stroke="currentColor"' in html
    assert "<title>" not in html


def test_an_icon_alone_has_its_name_and_the_name_is_escaped():
    html = render('{% icon "lock" label=label class="badge" %}', label='Locked <b>"now"</b>')
    assert html.startswith('<svg class="icon badge" role="img" aria-label="Locked &lt;b&gt;&quot;now&quot;&lt;/b&gt;"')
    assert "<title>Locked &lt;b&gt;&quot;now&quot;&lt;/b&gt;</title>" in html
    assert "aria-hidden" not in html


def test_an_unknown_name_draws_the_medal_rather_than_nothing():
    assert icon_svg("🏅") == icon_svg("medal")
    assert icon_svg("no-such-icon") == icon_svg("medal")


def test_every_icon_is_drawn_with_shapes_and_no_emoji():
    for name, (_label, body) in ICONS.items():
        assert re.fullmatch(r"(<(path|circle|rect|ellipse) [^<>]*/>)+", body), name
        assert not EMOJI.search(body), name
    assert {name for name, _label in ACHIEVEMENT_ICONS} <= set(ICONS)
    assert "lock" not in {name for name, _label in ACHIEVEMENT_ICONS}  # interface symbols are not offered
