"""The site's URLs plus one bare view: the floor any Django page has.

The bare view returns, from memory, the bytes of the page being measured
(written to $STREAM_BENCH_PAGE by bench/run.py before gunicorn starts).
"""

import os
from pathlib import Path

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns

PAGE = Path(os.environ.get("STREAM_BENCH_PAGE", "/dev/null")).read_bytes()


def bare(request):
    return HttpResponse(PAGE, content_type="text/html; charset=utf-8")


urlpatterns = [path("bench/bare", bare), *site_urlpatterns]
