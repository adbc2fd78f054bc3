"""The site's URLs plus one bare view: the floor any Django page has.

The bare view returns, from memory, the bytes of the page being measured
(written to $STREAM_BENCH_PAGE by bench/run.py before gunicorn starts).
"""

import os
from pathlib import Path

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns

PAGE_FILE = Path(os.environ.get("STREAM_BENCH_PAGE", "/dev/null"))
_page: list[bytes] = []


def bare(request):
    if not _page:  # read once per process, after run.py has written it
        _page.append(PAGE_FILE.read_bytes())
    return HttpResponse(_page[0], content_type="text/html; charset=utf-8")


urlpatterns = [path("bench/bare", bare), *site_urlpatterns]
