"""The search page: a thin view over search.selectors."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from search import selectors

RESULTS_SHOWN = 20


@require_safe
def results(request: HttpRequest) -> HttpResponse:
    found = selectors.lessons_search(query=request.GET.get("q", ""), user=request.user, limit=RESULTS_SHOWN)
    return render(request, "search/results.html", {"results": found})
