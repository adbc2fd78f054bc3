"""Privacy by default: public names never come from an email address, are free of invisible
characters, and cannot be one of the names the site shows itself."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from comments import services as comment_services
from progress import names
from progress.forms import ProfileForm
from progress.models import Profile
from tests.conftest import make_user

PRIVATE_EMAIL = "alice.private.2291@example.org"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def alice(db):
    return make_user(PRIVATE_EMAIL)


@pytest.fixture
def lesson(lessons):
    return lessons[0]


# --- The default name ----------------------------------------------------------------------


def test_a_learner_who_never_chose_a_name_is_not_shown_by_their_email_on_the_public_page(client, alice, lesson):
    comment_services.comment_create(author=alice, lesson=lesson, body="Nice lesson.")
    html = client.get(lesson.get_absolute_url()).content.decode()
    assert "Nice lesson." in html
    assert "alice" not in html.lower()
    assert "2291" not in html
    assert f'<span class="comment-author">{names.default_name(alice.pk)}</span>' in html
    assert re.fullmatch(r"Learner \d{4}", names.default_name(alice.pk))


def test_the_default_name_is_translated(alice):
    with translation.override("ko"):
        assert re.fullmatch(r"학습자 \d{4}", Profile(user=alice).name)
    assert Profile(user=alice).name == f"Learner {names.default_number(alice.pk)}"


def test_the_default_number_is_stable_and_not_the_sign_up_order(settings):
    numbers = [names.default_number(pk) for pk in range(1, 201)]
    assert numbers == [names.default_number(pk) for pk in range(1, 201)]  # stable
    assert all(1000 <= number <= 9999 for number in numbers)
    assert numbers != sorted(numbers)  # later accounts do not get larger numbers
    assert len(set(numbers)) > 190  # spread, not a handful of values
    settings.SECRET_KEY = "another-secret-" * 4
    assert [names.default_number(pk) for pk in range(1, 201)] != numbers  # keyed: not computable from the id alone


def test_a_chosen_name_wins_and_the_email_is_never_a_fallback(alice):
    profile = Profile.for_user(alice)
    assert profile.name == names.default_name(alice.pk)
    profile.display_name = "Alice W."
    assert profile.name == "Alice W."
    assert Profile.public_name(display_name="", user_id=alice.pk) == names.default_name(alice.pk)
    assert Profile.public_name(display_name="\u200b\u202e", user_id=alice.pk) == names.default_name(alice.pk)


# --- Cleaning and reserved names in the settings form --------------------------------------


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("  Ada   Lovelace ", "Ada Lovelace"),
        ("Ada\u202eecalevoL", "AdaecalevoL"),  # right-to-left override
        ("A\u200bd\u200ca\u200d\ufeff", "Ada"),  # zero-width space, joiners, BOM
        ("Ada\u2066x\u2069", "Adax"),  # isolates
        ("Ada\x07\x1b[31m\x7f", "Ada[31m"),  # controls (NUL is refused by Django's CharField itself)
        ("Ada\nLovelace\tthe\u2028first", "Ada Lovelace the first"),  # line breaks become spaces
        ("\u3164Ada\u115f", "Ada"),  # Hangul fillers that look like nothing
        ("이\u00a0수진", "이 수진"),
    ],
)
def test_invisible_characters_are_stripped_and_whitespace_collapsed(alice, typed, kept):
    form = ProfileForm({"display_name": typed, "time_zone": "UTC"}, instance=Profile(user=alice))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["display_name"] == kept


@pytest.mark.parametrize(
    "name",
    [
        "[deleted]", "[Deleted]", "DELETED", "[삭제됨]", "Stream", "stream", "ＳＴＲＥＡＭ", "스트림",
        "admin", "Admin", "ＡＤＭＩＮ", "administrator", "Moderator", "staff", "Stream Staff", "Ada (moderator)",
        "관리자", "운영자", "스태프", "You", "나",
        "Learner 4821", "learner4821", "학습자 1234",
        "a\u200bdmin", "St\u202eream",
    ],
)  # fmt: skip
@pytest.mark.parametrize("language", ["en", "ko"])
def test_names_the_site_shows_itself_are_refused_in_both_languages(learner_client, user, name, language):
    learner_client.cookies["django_language"] = language
    response = learner_client.post(reverse("progress:settings"), {"display_name": name, "time_zone": "UTC"})
    assert response.status_code == 200
    message = "사이트가 직접 쓰는 이름" if language == "ko" else "is a name the site uses itself"
    assert message in response.content.decode()
    assert not Profile.objects.filter(user=user).exclude(display_name="").exists()


@pytest.mark.parametrize("name", ["Ada", "Mainstream", "Learner of Greek", "Streamer 7", "관리 잘하는 사람"])
def test_ordinary_names_that_only_resemble_reserved_ones_are_accepted(learner_client, user, name):
    response = learner_client.post(reverse("progress:settings"), {"display_name": name, "time_zone": "UTC"})
    assert response.status_code == 302
    assert Profile.objects.get(user=user).display_name == name


def test_settings_say_how_the_learner_appears_without_a_name(learner_client, user):
    html = learner_client.get(reverse("progress:settings")).content.decode()
    assert f"Left empty, you appear as “{names.default_name(user.pk)}”." in html
    assert "start of your email" not in html


# --- The invitation above the comment form --------------------------------------------------


def test_a_learner_without_a_name_is_invited_to_choose_one_before_commenting(learner_client, user, lesson):
    html = learner_client.get(lesson.get_absolute_url()).content.decode()
    invite = re.search(r'<p class="notice name-invite" data-name-invite>(.*?)</p>', html, re.S)
    assert invite is not None
    assert f"“{names.default_name(user.pk)}”" in invite.group(1)
    assert f'href="{reverse("progress:settings")}"' in invite.group(1)
    assert html.index("data-name-invite") < html.index('name="body"')  # before the form


def test_the_invitation_is_in_korean_for_a_korean_reader(learner_client, user, lesson):
    learner_client.cookies["django_language"] = "ko"
    html = learner_client.get(lesson.get_absolute_url()).content.decode()
    assert "공개 이름을 정해요" in html
    assert f"학습자 {names.default_number(user.pk)}" in html
    assert f"Learner {names.default_number(user.pk)}" not in html


def test_no_invitation_once_a_name_is_chosen_or_for_readers_who_cannot_post(
    client, learner_client, user, unverified_user, lesson
):
    Profile.objects.update_or_create(user=user, defaults={"display_name": "Ada"})
    assert "data-name-invite" not in learner_client.get(lesson.get_absolute_url()).content.decode()
    assert "data-name-invite" not in client.get(lesson.get_absolute_url()).content.decode()  # anonymous
    client.force_login(unverified_user)
    assert "data-name-invite" not in client.get(lesson.get_absolute_url()).content.decode()  # cannot post yet
