"""The site's one way to send a templated email: a text body, the same in HTML, a subject on one line.

Tasks (the reply email, the staff's report email) decide whether and to whom to write and in which
language; this module only assembles and sends, so every email of the site is built the same way.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

SUBJECT_MAX_LENGTH = 200


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
    ``translation.override``."""
    message = EmailMultiAlternatives(
        subject=one_line(subject),
        body=render_to_string(f"{template}.txt", context),
        to=list(to),
        reply_to=list(reply_to) if reply_to else None,
        headers=dict(headers) if headers else None,
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message.send()
