"""One way to write a moment in JSON: ISO 8601 in UTC with a ``Z``, as the progress API
(SPEC section 4) and "download my data" both do. Python's ``isoformat`` writes UTC as
``+00:00`` and Django's JSON encoder cuts microseconds; this does neither."""

from datetime import UTC, datetime
from typing import overload


@overload
def iso(moment: datetime) -> str: ...


@overload
def iso(moment: None) -> None: ...


def iso(moment: datetime | None) -> str | None:
    """``2026-01-31T09:30:00Z`` (microseconds kept when there are any); None stays None."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
