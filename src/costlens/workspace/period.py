"""Report windows: a month (or a billing cycle) and day bounds in a chosen time zone."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .layout import Window
from .ledger import WorkspaceError

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def zone(name: str) -> dt.tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise WorkspaceError(
            f"--tz {name!r}: not a time zone name; use an IANA name such as UTC or Europe/Berlin"
        ) from e


def parse_month(text: str) -> tuple[int, int]:
    m = MONTH.match(text)
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise WorkspaceError(f"{text!r} is not a month; write it as YYYY-MM, e.g. 2026-10")
    return int(m.group(1)), int(m.group(2))


def window(
    month: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    tz: str = "UTC",
    cycle_start_day: int = 1,
) -> Window | None:
    """``[start, end)`` in UTC for ``--month`` (from its cycle start day) intersected with
    ``--since`` / ``--until`` (inclusive local days); None when nothing bounds it."""
    if not 1 <= cycle_start_day <= 28:
        raise WorkspaceError(
            f"--cycle-start-day {cycle_start_day}: use a day from 1 to 28 (every month has it)"
        )
    z = zone(tz)
    lo, hi, label = None, None, []
    if month:
        y, m = parse_month(month)
        lo = dt.datetime(y, m, cycle_start_day, tzinfo=z)
        ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
        hi = dt.datetime(ny, nm, cycle_start_day, tzinfo=z)
        label.append(month)
    if since:
        s = dt.datetime(since.year, since.month, since.day, tzinfo=z)
        lo = max(lo, s) if lo else s
        label.append(f"since {since}")
    if until:
        u = dt.datetime(until.year, until.month, until.day, tzinfo=z) + dt.timedelta(days=1)
        hi = min(hi, u) if hi else u
        label.append(f"until {until}")
    if lo is None and hi is None:
        return None
    start = (lo or dt.datetime(1900, 1, 1, tzinfo=dt.UTC)).astimezone(dt.UTC)
    end = (hi or dt.datetime(9999, 1, 1, tzinfo=dt.UTC)).astimezone(dt.UTC)
    return Window(start, end, " ".join(label) + (f" ({tz})" if tz != "UTC" else ""))
