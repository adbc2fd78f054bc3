"""The "Report a problem" form: what the reporter types, the context the page
adds, and the spam checks that need no third-party service."""

import re
import secrets
import time
from urllib.parse import urlsplit

from django import forms
from django.core import signing
from django.urls import Resolver404, resolve
from django.utils.translation import gettext_lazy as _

from infra import drafts
from infra.redirects import local_path
from lessons.models import Lesson, Report, is_lesson_key

BODY_MAX_LENGTH: int = Report._meta.get_field("body").max_length  # type: ignore[assignment]  # set on the model
PAGE_MAX_LENGTH: int = Report._meta.get_field("page_url").max_length  # type: ignore[assignment]

# A person needs a few seconds to choose a kind and describe a problem; a script does not.
MIN_SECONDS_TO_SUBMIT = 3
# A form left open longer than this asks to be sent again (the token is signed, not stored).
MAX_SECONDS_TO_SUBMIT = 24 * 60 * 60
_STARTED_SALT = "lessons.report.started"
_NONCE_PATTERN = re.compile(r"[0-9a-f]{32}")


def report_form_token(*, issued_at: float | None = None) -> str:
    """A signed record of when the form was shown, with a random nonce.

    Nothing is stored when the form is shown; the nonce is saved with the report it sends
    (``Report.form_nonce``, unique), so each form shown sends one report: a script that
    fetched one form cannot replay its token."""
    moment = int(time.time() if issued_at is None else issued_at)
    return signing.dumps({"t": moment, "n": secrets.token_hex(16)}, salt=_STARTED_SALT)


def safe_page_path(value: str | None) -> str:
    """The path the reporter came from if it is a path on this site, else "".

    It is later used as a redirect target, so anything with a scheme, a host,
    a protocol-relative ``//`` or a backslash is dropped: never an open redirect."""
    value = local_path(value, max_length=PAGE_MAX_LENGTH)
    if value and _resolves_to(value, "report"):
        return ""  # the footer link on the report page itself: there is nothing to go back to
    return value


def _resolves_to(path: str, url_name: str):
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    if match.namespace == "lessons" and match.url_name == url_name:
        return match
    return None


def lesson_for_report(*, key: str, page: str, user) -> Lesson | None:
    """The lesson a report is about: by its stable key, or else from the page path
    (the footer link sends only the page). Only lessons this user may see (1 query)."""
    lessons = Lesson.objects.visible_to(user).select_related("quest")
    if key and not is_lesson_key(key):
        return None  # not a key at all (and NUL bytes would upset PostgreSQL)
    if key:
        return lessons.filter(key=key).first()
    match = _resolves_to(page, "lesson") if page else None
    if match:
        return lessons.filter(quest__slug=match.kwargs["quest_slug"], slug=match.kwargs["slug"]).first()
    return None


class HoneypotInput(forms.TextInput):
    """A field people never see or reach; robots that fill every input fill it."""

    def __init__(self):
        super().__init__(attrs={"tabindex": "-1", "autocomplete": "off"})

    def format_value(self, value):
        return None  # never echoed back: a person resending after a false alarm sends it empty


class ReportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What kind of problem?"),
        choices=Report.Kind.choices,
        initial=Report.Kind.BUG,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Please choose what kind of problem it is."),
            "invalid_choice": _("Please choose one of the kinds listed."),
        },
    )
    body = forms.CharField(
        label=_("What happened?"),
        help_text=_("Tell us what you saw and what you expected. Quote the sentence if it is a typo."),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": _("Please tell us what happened."),
            "max_length": _(
                "Please keep it under %(limit_value)d characters (this has %(show_value)d). "
                "Shorten it a little and send again."
            ),
        },
    )
    email = forms.EmailField(
        label=_("Your email (optional)"),
        help_text=_("Only if you would like an answer. We use it for nothing else."),
        required=False,
        max_length=254,
        error_messages={"invalid": _("This does not look like an email address; correct it or leave it empty.")},
    )
    # Context from the page, filled in for the reporter.
    lesson = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    page = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
    completed = forms.NullBooleanField(required=False, widget=forms.HiddenInput)
    # Spam checks.
    started = forms.CharField(required=False, widget=forms.HiddenInput)
    website = forms.CharField(label=_("Leave this field empty"), required=False, widget=HoneypotInput())

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("auto_id", "report-%s")  # unique ids next to the comment form on a lesson page
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.user = user
        if self.is_bound:
            # Mutable, so a stale token can be replaced for the next try (a QueryDict, typed as a Mapping).
            self.data = self.data.copy()  # type: ignore[attr-defined]
        else:
            self.initial.setdefault("started", report_form_token())
        if user.is_authenticated:
            del self.fields["email"]  # signed-in reports carry the account, not a typed address
        # What is typed is kept in the browser until sent (static/js/drafts.js), per page reported.
        for name, draft in zip(("body", "email"), drafts.report_drafts(page=self.context_page), strict=True):
            if name in self.fields:
                self.fields[name].widget.attrs["data-draft"] = draft

    @property
    def signed_in(self) -> bool:
        return self.user.is_authenticated

    def clean_page(self) -> str:
        return safe_page_path(self.cleaned_data.get("page"))

    def clean_body(self) -> str:
        return self.cleaned_data["body"].replace("\r\n", "\n")

    def clean_website(self) -> str:
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(
                _(
                    "This looked like an automated submission, so it was not sent. Please check your report and send it again."
                ),
                code="honeypot",
            )
        return ""

    def clean_started(self) -> str:
        """The token's nonce, once the token is checked (the service refuses a nonce already used)."""
        token = self.cleaned_data.get("started", "")
        try:
            payload = signing.loads(token, salt=_STARTED_SALT)
            elapsed = time.time() - int(payload["t"])
            nonce = payload["n"]
            if not isinstance(nonce, str) or not _NONCE_PATTERN.fullmatch(nonce):
                raise ValueError(nonce)
        except (signing.BadSignature, TypeError, KeyError, ValueError):
            self.data["started"] = report_form_token()  # type: ignore[index]  # the copy made in __init__
            raise forms.ValidationError(
                _("This form could not be checked (it may be out of date). Please send it again."), code="token"
            ) from None
        if elapsed > MAX_SECONDS_TO_SUBMIT:
            self.data["started"] = report_form_token()  # type: ignore[index]  # the copy made in __init__
            raise forms.ValidationError(
                _("This form was open for a long time, so please send it again."), code="expired"
            )
        if elapsed < MIN_SECONDS_TO_SUBMIT:
            raise forms.ValidationError(
                _("That was faster than a person types. Please read your report over and send it again."),
                code="too_fast",
            )
        return nonce

    def renew_token(self) -> None:
        """A fresh token for the next try (after a refusal the reporter can act on)."""
        self.data["started"] = report_form_token()  # type: ignore[index]  # the copy made in __init__

    def clean(self):
        cleaned = super().clean() or {}
        errors = self.errors  # ErrorDict; the fields' own errors are final once clean() runs
        # Spam-check failures belong to the whole form: their fields are hidden.
        for name in ("website", "started"):
            if name in errors:
                for error in errors.pop(name).as_data():
                    self.add_error(None, error)
        # The page context is best effort: a mangled hidden value is dropped, not shown as an error.
        for name, default in (("lesson", ""), ("page", ""), ("completed", None)):
            if errors.pop(name, None) is not None:
                cleaned[name] = default
        self._context_lesson = lesson_for_report(
            key=cleaned.get("lesson", ""), page=cleaned.get("page", ""), user=self.user
        )
        cleaned["lesson"] = self._context_lesson
        return cleaned

    @property
    def context_lesson(self) -> Lesson | None:
        """The lesson the form is about, for the "what we send" list (1 query, cached)."""
        if not hasattr(self, "_context_lesson"):
            if self.is_bound:
                key, page = self.data.get("lesson", ""), self.data.get("page", "")
            else:
                key, page = self.initial.get("lesson", ""), self.initial.get("page", "")
            self._context_lesson = lesson_for_report(key=str(key)[:64], page=safe_page_path(str(page)), user=self.user)
        return self._context_lesson

    @property
    def context_page(self) -> str:
        page = self.data.get("page", "") if self.is_bound else self.initial.get("page", "")
        return safe_page_path(str(page))
