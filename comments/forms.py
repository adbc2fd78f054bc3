"""Forms for comments: they parse what was posted; the rules live in comments.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from comments.models import BODY_MAX_LENGTH, FLAG_REASON_MAX_LENGTH, MODE_REPLIES, LessonSubscription


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Write something before posting."),
            "max_length": _("Comments can be at most %(limit_value)d characters long (this one has %(show_value)d)."),
        },
    )
    parent = forms.IntegerField(
        required=False,
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={
            "invalid": _("The comment you replied to no longer exists."),
            "min_value": _("The comment you replied to no longer exists."),
        },
    )

    def first_error(self) -> str:
        """The one message the page shows (forms here have a single visible field)."""
        for errors in self.errors.values():
            return str(errors[0])
        return ""


class PreviewForm(forms.Form):
    body = forms.CharField(max_length=BODY_MAX_LENGTH, required=False, strip=True)


class SubscriptionForm(forms.Form):
    mode = forms.ChoiceField(
        choices=[(MODE_REPLIES, _("Replies to me")), *LessonSubscription.Mode.choices],
        error_messages={"invalid_choice": _("Choose one of the notification options.")},
    )


class FlagForm(forms.Form):
    reason = forms.CharField(
        label=_("Why? (optional)"),
        required=False,
        max_length=FLAG_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: spam, rude, off topic. Only staff see it."),
        error_messages={
            "max_length": _("A reason can be at most %(limit_value)d characters long (this one has %(show_value)d)."),
        },
    )
    label_suffix = ""

    def first_error(self) -> str:
        for errors in self.errors.values():
            return str(errors[0])
        return ""
