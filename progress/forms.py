"""Input parsing: the JSON API's bodies and the HTML forms of progress pages.

The API parsers answer every malformed body with a ``PayloadError`` whose message is
for a person; the views turn it into ``{"error": ...}`` with status 400.
"""

import json
from datetime import UTC, datetime

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lessons.models import LESSON_KEY_MAX_LENGTH
from progress import names
from progress.models import Profile, valid_time_zones

MAX_BODY_BYTES = 64 * 1024
MAX_SYNC_ENTRIES = 1000
MAX_TIME_LENGTH = 64


class PayloadError(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


def _reject_constant(name: str):
    raise ValueError(name)


# Fields of the progress state itself. The server computes them, so a client that sends
# them back (an echo of a state it received, or an attempt to set its own XP) is not an
# error: they are dropped and have no effect. Any other unknown field is refused.
SERVER_COMPUTED = frozenset(
    {"xp", "level", "lessons_completed", "lessons_total", "achievements", "achievements_total", "streak_days"}
)


def _object(raw: bytes, allowed: set[str], required: set[str]) -> dict:
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadError(_("The request body is larger than 64 KiB."), status=413)
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise PayloadError(_("The request body is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise PayloadError(_("The request body must be a JSON object."))
    data = {name: value for name, value in data.items() if name not in SERVER_COMPUTED}
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise PayloadError(
            _("Unknown field(s): %(fields)s. Only %(allowed)s are accepted.")
            % {"fields": ", ".join(unknown)[:200], "allowed": ", ".join(sorted(allowed))}
        )
    missing = sorted(required - set(data))
    if missing:
        raise PayloadError(_("Missing field(s): %(fields)s.") % {"fields": ", ".join(missing)})
    return data


def _lesson_key(value) -> str:
    if not isinstance(value, str) or not value or len(value) > LESSON_KEY_MAX_LENGTH:
        raise PayloadError(_("A lesson key must be a non-empty string of at most 64 characters."))
    return value


def parse_time(value) -> datetime:
    """An ISO 8601 time; one without an offset is taken as UTC.

    Any well-formed time is accepted here, however implausible: whether a device's clock
    was wrong is a rule of the merge (``services.progress_merge``), which ignores that one
    entry and merges the rest. Only a value that is not a time refuses the whole body."""
    if not isinstance(value, str) or len(value) > MAX_TIME_LENGTH:
        raise PayloadError(_("Completion times must be ISO 8601 strings, like 2025-01-31T09:30:00Z."))
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise PayloadError(
            _("“%(value)s” is not an ISO 8601 time, like 2025-01-31T09:30:00Z.") % {"value": value}
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        # Within hours of the calendar's ends (0001-01-01T00:00+14:00): the nearest time UTC
        # can hold, which the merge then ignores as too early or clamps to now.
        return datetime.min.replace(tzinfo=UTC) if moment.year == 1 else datetime.max.replace(tzinfo=UTC)


def parse_sync_body(raw: bytes) -> dict[str, datetime]:
    """``{"completed": {"<key>": "<ISO time>", …}}`` (``"version": 1`` from localStorage is accepted too)."""
    data = _object(raw, allowed={"completed", "version"}, required={"completed"})
    if "version" in data and (type(data["version"]) is not int or data["version"] != 1):
        raise PayloadError(_("Only version 1 of the progress format is understood."))
    completed = data["completed"]
    if not isinstance(completed, dict):
        raise PayloadError(_("“completed” must be an object of lesson keys and completion times."))
    if len(completed) > MAX_SYNC_ENTRIES:
        raise PayloadError(
            _("Too many lessons in one sync: at most %(limit)s are accepted.") % {"limit": MAX_SYNC_ENTRIES}
        )
    return {_lesson_key(key): parse_time(moment) for key, moment in completed.items()}


def parse_lesson_body(raw: bytes) -> str:
    """``{"lesson": "<key>"}``."""
    data = _object(raw, allowed={"lesson"}, required={"lesson"})
    return _lesson_key(data["lesson"])


class LessonMarkForm(forms.Form):
    """The complete/undo button without JavaScript: the state the learner asks for, not a toggle,
    so a double submit cannot flip it back."""

    lesson = forms.SlugField(max_length=LESSON_KEY_MAX_LENGTH)
    done = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda value: value == "1")
    next = forms.CharField(required=False, max_length=2000)


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        label=gettext_lazy("Time zone"),
        choices=valid_time_zones,
        help_text=gettext_lazy("Your streak's days end at midnight in this time zone."),
    )
    # Not required: a form posted without it (an older page, a script) leaves the kept language as it is.
    language = forms.ChoiceField(
        label=gettext_lazy("Language of emails"),
        choices=settings.LANGUAGES,
        required=False,
        help_text=gettext_lazy("Emails from Stream, such as reply notifications, are written in this language."),
    )

    class Meta:
        model = Profile
        fields = ["display_name", "time_zone", "language", "email_on_reply"]
        labels = {"display_name": gettext_lazy("Public name")}

    def __init__(self, *args, **kwargs):
        # Labels without a colon, as on the site's other forms (Form.__init__ ignores a class attribute).
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        if not self.instance.language:  # none kept yet: the language this page is read in
            self.initial["language"] = translation.get_language() or settings.LANGUAGE_CODE
        self.fields["display_name"].help_text = _(
            "Shown with your comments. Your email address is never shown. Left empty, you appear as “%(name)s”."
        ) % {"name": names.default_name(self.instance.user_id)}

    def clean_display_name(self) -> str:
        """Invisible and direction-changing characters dropped, spaces collapsed; the site's own names refused."""
        name = names.clean_name(self.cleaned_data.get("display_name") or "")
        if name and names.is_reserved(name):
            raise forms.ValidationError(
                _("“%(name)s” is a name the site uses itself. Please choose another.") % {"name": name},
                code="reserved",
            )
        return name


class DeleteAccountForm(forms.Form):
    """Deleting is forever: the learner confirms with their password (or, without one, their email)."""

    password = forms.CharField(
        label=gettext_lazy("Your password"),
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    email = forms.CharField(label=gettext_lazy("Your email address"), required=False)

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.user = user
        if user.has_usable_password():
            del self.fields["email"]
        else:
            del self.fields["password"]

    def clean(self):
        cleaned = super().clean() or {}
        if "password" in self.fields:
            if not self.user.check_password(cleaned.get("password") or ""):
                self.add_error("password", _("That is not your password. Your account was not deleted."))
        elif (cleaned.get("email") or "").strip().lower() != self.user.email.lower():
            self.add_error("email", _("Type the email address of this account to confirm."))
        return cleaned
