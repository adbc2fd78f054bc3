"""The site's one way to send a templated email: a text body, the same in HTML, a subject on one line.

Tasks (the reply email, the staff's report email) decide whether and to whom to write and in which
language; this module only assembles and sends, so every email of the site is built the same way.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

SUBJECT_MAX_LENGTH = 200
HEADER_LINE_MAX_LENGTH = 998  # RFC 5322 2.1.1: the hard limit of a line, CRLF excluded


class OneLineHeader(str):
    """A machine-read header value (``List-Unsubscribe: <https://…>``) written on one line, as given.

    Python's email package (``email.policy.default``, which Django uses) folds a header longer than
    78 characters, and a value with no space to fold at, such as a long URL, it rewrites as RFC 2047
    encoded words (``=?utf-8?q?=3Chttps…``): fine for a subject a person reads, useless for a header
    a mail client parses (RFC 2369 wants the URL in angle brackets). The policy hands a header object
    with a ``name`` its own ``fold``; this one writes ``Name: value`` on one line, which RFC 5322
    allows up to 998 characters."""

    name: str

    def __new__(cls, name: str, value: str) -> "OneLineHeader":
        if not (value.isascii() and value.isprintable()):
            raise ValueError(f"{name}: a one-line header holds printable ASCII only")
        if len(name) + 2 + len(value) > HEADER_LINE_MAX_LENGTH:
            raise ValueError(f"{name}: longer than a mail line may be")
        header = super().__new__(cls, value)
        header.name = name
        return header

    # Copied and pickled whole (the locmem backend copies): with its name, which str's protocol lacks.
    def __getnewargs__(self) -> tuple[str, str]:  # type: ignore[override]
        return (self.name, str(self))

    def fold(self, *, policy) -> str:
        return f"{self.name}: {self}{policy.linesep}"


def one_line(subject: str) -> str:
    """A subject with no line breaks (a name or a title may carry some) and of a length mail servers accept."""
    return " ".join(subject.split())[:SUBJECT_MAX_LENGTH]


def send_templated(
    *,
    subject: str,
    template: str,
    context: Mapping[str, Any],
    to: Sequence[str],
    reply_to: Sequence[str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> int:
    """Send ``<template>.txt`` with ``<template>.html`` as its HTML alternative; returns how many were sent.

    Renders in the active language: callers that write to someone else wrap it in
    ``translation.override``. ``headers`` are for mail clients to read (``List-Unsubscribe``…):
    each is written on one line as given (``OneLineHeader``), never encoded."""
    message = EmailMultiAlternatives(
        subject=one_line(subject),
        body=render_to_string(f"{template}.txt", context),
        to=list(to),
        reply_to=list(reply_to) if reply_to else None,
        headers={name: OneLineHeader(name, value) for name, value in (headers or {}).items()} or None,
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message.send()
