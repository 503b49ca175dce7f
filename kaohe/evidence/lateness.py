"""How late a submission is, in seconds and in words."""

from __future__ import annotations

import datetime as dt


def late_by_seconds(submitted_at: dt.datetime, due_at: dt.datetime) -> int:
    """Whole seconds past ``due_at`` (0 when on time); both instants must be aware."""
    if submitted_at.tzinfo is None or due_at.tzinfo is None:
        raise ValueError("late_by_seconds needs aware datetimes")
    return max(0, int((submitted_at - due_at).total_seconds()))


def describe_lateness(seconds: int) -> str:
    """``按时`` or e.g. ``逾期2天3小时5分钟`` (seconds under a minute read as 不足1分钟)."""
    if seconds <= 0:
        return "按时"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = [f"{days}天" if days else "", f"{hours}小时" if hours else "", f"{minutes}分钟" if minutes else ""]
    text = "".join(parts)
    return f"逾期{text or '不足1分钟'}"
