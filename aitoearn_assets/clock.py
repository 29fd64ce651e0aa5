"""The pipeline's clock: now, in UTC (naive, as the warehouse stores times).

`AITOEARN_AS_OF` (an ISO date or time, UTC) pins it: a demo or a test can build several days of
history in minutes. A date alone means noon UTC of that day.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, time

AS_OF_VARIABLE = "AITOEARN_AS_OF"


def utc_now() -> datetime:
    """Now (or the pinned time), naive UTC."""
    return pinned_now() or datetime.now(UTC).replace(tzinfo=None)


def pinned_now() -> datetime | None:
    """The pinned time (naive UTC), or None when the clock is not pinned."""
    pinned = os.environ.get(AS_OF_VARIABLE, "").strip()
    if not pinned:
        return None
    try:
        moment = datetime.fromisoformat(pinned)
    except ValueError:
        raise ValueError(f"{AS_OF_VARIABLE}={pinned!r} is not an ISO date or time (e.g. 2026-11-29)") from None
    if len(pinned) == 10:
        moment = datetime.combine(moment.date(), time(12))
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
