"""The "Report a problem" page and its in-place variant for the lesson page.

Without JavaScript, /report/ is an ordinary page that sends the reporter back
where they came from with a thank-you message. With JavaScript, the lesson page
fetches the same view as a fragment (header ``X-Requested-With: fetch``), posts
it in place and shows the answer where the form was; ``infra.fragments`` makes
that choice (and says ``Vary``) as for every view that answers in place.
"""

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from infra import drafts
from infra.client import client_address
from infra.fragments import fragment_or_page
from lessons import services
from lessons.forms import ReportForm


def _render(request: HttpRequest, form: ReportForm, *, fragment: bool, status: int = 200) -> HttpResponse:
    template = "lessons/report_form.html" if fragment else "lessons/report.html"
    context = {
        "form": form,
        "fragment": fragment,
        "user_agent": request.headers.get("User-Agent", ""),
    }
    return render(request, template, context, status=status)


@never_cache  # the form carries a CSRF token and a signed start time
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        form = ReportForm(
            user=request.user,
            initial={"lesson": request.GET.get("lesson", "")[:64], "page": request.GET.get("page", "")[:2000]},
        )
        return fragment_or_page(
            request,
            fragment=lambda: _render(request, form, fragment=True),
            page=lambda: _render(request, form, fragment=False),
        )
    form = ReportForm(request.POST, user=request.user)
    if not form.is_valid():
        return _form_again(request, form, status=400)
    data = form.cleaned_data
    try:
        report = services.report_create(
            kind=data["kind"],
            body=data["body"],
            user=request.user if request.user.is_authenticated else None,
            email=data.get("email", ""),
            page_url=data["page"],
            lesson=data["lesson"],
            lesson_completed=data["completed"],
            user_agent=request.headers.get("User-Agent", ""),
            client_address=client_address(request),
            form_nonce=data["started"],
        )
    except services.ReportRateLimited as error:
        form.add_error(None, str(error))
        return _form_again(request, form, status=429)
    except services.ReportAlreadySent as error:
        form.add_error(None, str(error))
        form.renew_token()  # the text is kept; a person who meant a second report sends it again
        return _form_again(request, form, status=400)

    def page() -> HttpResponse:
        used = drafts.report_drafts(page=form.context_page)
        drafts.posted(request, _("Thank you! Your report was sent to our staff."), *used)
        back = data["page"] or (report.lesson.get_absolute_url() if report.lesson else reverse("lessons:home"))
        return HttpResponseRedirect(back)

    return fragment_or_page(
        request,
        fragment=lambda: render(request, "lessons/report_thanks.html", {"report": report}, status=201),
        page=page,
    )


def _form_again(request: HttpRequest, form: ReportForm, *, status: int) -> HttpResponse:
    return fragment_or_page(
        request,
        fragment=lambda: _render(request, form, fragment=True, status=status),
        page=lambda: _render(request, form, fragment=False, status=status),
    )
