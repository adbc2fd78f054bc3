"""Sending the verification mail again, in one click, and saying when it cannot go yet.

allauth skips a verification mail inside its cooldown without a word; a learner who pressed
"send it again" deserves to know that one is on its way and when another may be sent.
"""

import math

from allauth.account.internal.flows.email_verification import send_verification_email_to_address
from allauth.account.models import EmailAddress
from allauth.account.views import EmailView
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from infra.redirects import local_path
from progress.accounts import verification_wait_seconds


def _tell_wait(request: HttpRequest, email: str, seconds: int) -> None:
    minutes = max(1, math.ceil(seconds / 60))
    messages.info(
        request,
        ngettext(
            "A verification email went to %(email)s a moment ago. Check your inbox (and spam); you can send another in %(minutes)s minute.",
            "A verification email went to %(email)s a moment ago. Check your inbox (and spam); you can send another in %(minutes)s minutes.",
            minutes,
        )
        % {"email": email, "minutes": minutes},
    )


@login_required
@require_POST
def verification_send(request: HttpRequest) -> HttpResponse:
    """Send the verification mail for the learner's unverified primary address, or say when it can go."""
    next_url = local_path(request.POST.get("next")) or reverse("account_email")
    address = EmailAddress.objects.filter(user=request.user, verified=False).order_by("-primary").first()
    if address is None:
        messages.info(request, _("Your email address is already verified."))
    elif wait := verification_wait_seconds(address.email):
        _tell_wait(request, address.email, wait)
    else:
        send_verification_email_to_address(request, address)  # adds allauth's "sent" message
    return redirect(next_url)


class AccountEmailView(EmailView):
    """allauth's email page, telling the learner when "Re-send verification" cannot send yet."""

    def _action_send(self, request: HttpRequest, *args, **kwargs):
        address = self._get_email_address(request)
        wait = verification_wait_seconds(address.email) if address and not address.verified else 0
        if wait:
            _tell_wait(request, address.email, wait)
            return None
        return super()._action_send(request, *args, **kwargs)


account_email = login_required(AccountEmailView.as_view())
