"""Pages that also answer in place: the one way a view tells a script's request from a browser's.

Forms on the lesson page (comments, "Report a problem") work as plain pages without JavaScript. With
it, comments.js and reports.js send the same requests with ``X-Requested-With: fetch`` and put the
fragment of HTML they get back in place. One URL thus has two answers, so every such answer says
``Vary: X-Requested-With``: no cache may hand the fragment to a browser or the page to a script.

Only the value our scripts send counts: Android's WebView puts the app's package name in
``X-Requested-With`` on ordinary navigations, and those readers must get pages.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

FRAGMENT_HEADER = "X-Requested-With"
FRAGMENT_VALUE = "fetch"  # what static/js sends


def wants_fragment(request: HttpRequest) -> bool:
    """Whether the page's own script sent this request (it gets a fragment, not a page)."""
    return request.headers.get(FRAGMENT_HEADER) == FRAGMENT_VALUE


def fragment_or_page(
    request: HttpRequest, *, fragment: Callable[[], HttpResponse], page: Callable[[], HttpResponse]
) -> HttpResponse:
    """Answer with ``fragment()`` for the page's script and ``page()`` otherwise, saying that it varies.

    Only the chosen answer is built (a page's answer may flash a message or redirect)."""
    response = fragment() if wants_fragment(request) else page()
    patch_vary_headers(response, [FRAGMENT_HEADER])
    return response
