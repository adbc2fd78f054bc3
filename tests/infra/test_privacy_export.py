""" "Download my data" holds everything kept about the learner (SPEC 7 and 10, issue 12).

The list of what to check is generated from the models: every model with a foreign key or
one-to-one field to the user model must be in the export (``IN_EXPORT``) or say why not
(``NOT_PERSONAL``). A new model that keeps something about a learner fails
``test_every_model_that_points_at_a_user_is_accounted_for`` until it is added to its app's
``privacy.py`` and here.

Not model rows, and so not in the export: sessions (their keys are credentials; they hold
only the account id and the CSRF and message state), rate-limit counters (``infra.RateCounter``:
a keyed count per hour or day, deleted when the window ends) and allauth's login-attempt counters
in the cache.
"""

import json

import pytest
from allauth.socialaccount.models import SocialAccount
from django.apps import apps
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment, Flag, LessonSubscription, Notification
from lessons.models import Report
from progress.models import Achievement, Completion, EarnedAchievement, Profile
from tests.conftest import make_user

# Where each model's rows appear in the export: (top-level key, key inside it).
IN_EXPORT = {
    "account.EmailAddress": ("account", "email_addresses"),
    "socialaccount.SocialAccount": ("account", "social_accounts"),
    "lessons.Report": ("lessons", "reports"),
    "progress.Profile": ("progress", "profile"),
    "progress.Completion": ("progress", "completions"),
    "progress.EarnedAchievement": ("progress", "achievements"),
    "comments.Comment": ("comments", "comments"),
    "comments.Flag": ("comments", "flags"),
    "comments.LessonSubscription": ("comments", "lesson_notification_settings"),
    "comments.Notification": ("comments", "notifications"),
}
NOT_PERSONAL = {
    "admin.LogEntry": "the admin's audit trail of staff actions; learners cannot use the admin",
}


def _models_pointing_at_users() -> set[str]:
    user_model = get_user_model()
    found = set()
    for model in apps.get_models():
        if model._meta.proxy:
            continue  # the same rows as its concrete model (comments.FlaggedComment)
        for field in model._meta.get_fields():
            if field.concrete and field.is_relation and field.related_model is user_model:
                found.add(model._meta.label)
    return found


def test_every_model_that_points_at_a_user_is_accounted_for():
    found = _models_pointing_at_users()
    missing = sorted(found - set(IN_EXPORT) - set(NOT_PERSONAL))
    assert not missing, f"models keep something about a user but are not in the export: {missing}"
    assert sorted(set(IN_EXPORT) - found) == []  # the table names no model that is gone


@pytest.fixture
def learner_with_one_of_everything(db, lessons, other_user):
    learner = make_user("every.thing@example.com")
    lesson = lessons[0]
    Profile.objects.create(user=learner, display_name="Evie", time_zone="Asia/Seoul", language="ko")
    Completion.objects.create(user=learner, lesson=lesson, completed_at=timezone.now())
    EarnedAchievement.objects.create(user=learner, achievement=Achievement.objects.first(), earned_at=timezone.now())
    mine = Comment.objects.create(lesson=lesson, author=learner, body="marker-comment")
    theirs = Comment.objects.create(lesson=lesson, author=other_user, body="a reply", parent=mine)
    Flag.objects.create(comment=theirs, user=learner)
    LessonSubscription.objects.create(user=learner, lesson=lesson, mode=LessonSubscription.Mode.choices[0][0])
    Notification.objects.create(recipient=learner, comment=theirs, kind=Notification.Kind.choices[0][0])
    Report.objects.create(user=learner, kind=Report.Kind.TYPO, body="marker-report", lesson=lesson)
    SocialAccount.objects.create(user=learner, provider="github", uid="marker-uid", extra_data={"login": "evie"})
    return learner


def test_the_download_holds_a_row_of_every_kind_the_learner_has(client, learner_with_one_of_everything):
    learner = learner_with_one_of_everything
    for label in IN_EXPORT:  # the fixture really made one of each
        model = apps.get_model(label)
        user_field = next(
            f.name
            for f in model._meta.get_fields()
            if f.concrete and f.is_relation and f.related_model is get_user_model()
        )
        assert model.objects.filter(**{user_field: learner}).count() == 1, label

    client.force_login(learner)
    response = client.get(reverse("progress:data_export"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    for label, (section, key) in IN_EXPORT.items():
        part = data[section][key]
        assert part, f"{label} is missing from the export"
        if isinstance(part, list):
            assert len(part) == 1, label
    text = json.dumps(data, ensure_ascii=False)
    for marker in ("marker-comment", "marker-report", "marker-uid", "every.thing@example.com", "Asia/Seoul"):
        assert marker in text
    assert data["progress"]["profile"] == {
        "display_name": "Evie",
        "time_zone": "Asia/Seoul",
        "email_on_reply": True,
        "language": "ko",
    }
    assert data["account"]["social_accounts"][0]["extra_data"] == {"login": "evie"}


def test_the_download_holds_nothing_of_another_learner(client, learner_with_one_of_everything, other_user):
    client.force_login(other_user)
    text = client.get(reverse("progress:data_export")).content.decode()
    for marker in ("marker-comment", "marker-report", "marker-uid", "every.thing@example.com", "Evie"):
        assert marker not in text
