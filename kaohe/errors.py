"""Every error kaohe raises on purpose.

The hierarchy, each line a subclass of the one it is indented under::

    KaoheError                 any failure kaohe reports to the user (CLI: one line, exit 1; subclasses carry their own code)
    ├── ConfigError            a setting is missing or malformed (KAOHE_* variables, override files)
    ├── InputError             user-supplied data is malformed; carries where (file, row, field) and why
    │   ├── SchemeError        a scheme file
    │   ├── HolidayDataError   a working-day table or override file
    │   ├── RosterError        a roster (CSV/XLSX); lists every bad row
    │   ├── ScoreSheetError    a score sheet or self-score table
    │   ├── SubmissionError    a submission that does not fit its unit, stage or window
    │   └── LinkError          a signed task link that is malformed, forged or expired
    ├── NotFoundError          a scheme, cycle, unit or stage that does not exist
    ├── StateError             an operation the current state forbids (closed stage, published result)
    │   ├── BusyError          another process holds the cycle (a concurrent advance); try again later
    │   └── StorageError       kaohe's own files could not be written (disk full, permissions); nothing kept
    ├── PermissionDeniedError  the acting account's role or scope does not allow the action
    ├── AuthError              a login, invitation, session or API token was refused
    ├── DeliveryError          a notification channel refused or failed a message
    └── ExternalServiceError   a third-party API answered badly (timeout, malformed or partial answer)

Errors are pure data: they never print. ``str(error)`` is the one line shown to people.
"""

from __future__ import annotations

from dataclasses import dataclass


class KaoheError(Exception):
    """Base of every error kaohe reports to the user."""

    exit_code = 1


class ConfigError(KaoheError):
    """A setting is missing or malformed."""

    exit_code = 2


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is and why it is wrong."""

    reason: str
    file: str | None = None
    row: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.row is not None:
            where.append(f"第{self.row}行")
        if self.field:
            where.append(f"字段 {self.field}")
        return f"{'，'.join(where)}：{self.reason}" if where else self.reason


class InputError(KaoheError):
    """User-supplied data is malformed; ``problems`` says where and why."""

    exit_code = 3

    def __init__(self, problems: list[Problem] | Problem | str, *, file: str | None = None) -> None:
        if isinstance(problems, str):
            problems = [Problem(problems, file=file)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        first = str(self.problems[0]) if self.problems else "输入有误"
        more = f"（另有 {len(self.problems) - 1} 处错误）" if len(self.problems) > 1 else ""
        super().__init__(first + more)

    def details(self) -> list[str]:
        """Every problem, one line each."""
        return [str(p) for p in self.problems]


class SchemeError(InputError):
    """A scheme file is malformed."""


class HolidayDataError(InputError):
    """A working-day table or its override file is malformed."""


class RosterError(InputError):
    """A roster has bad rows; nothing of it was imported."""


class ScoreSheetError(InputError):
    """A score sheet or self-score table is malformed."""


class SubmissionError(InputError):
    """A submission does not fit its unit, stage or window."""


class LinkError(InputError):
    """A signed task link is malformed, forged or expired (``expired`` tells the last apart)."""

    def __init__(self, message: str, *, expired: bool = False) -> None:
        super().__init__(message)
        self.expired = expired


class NotFoundError(KaoheError):
    """A scheme, cycle, unit or stage that does not exist."""

    exit_code = 4


class StateError(KaoheError):
    """An operation the current state of the cycle forbids."""

    exit_code = 5


class BusyError(StateError):
    """Another process is working on the same cycle and did not finish in time; nothing was changed."""


class PermissionDeniedError(KaoheError):
    """The acting account may not run this action (its role, or the unit or cycle it acts for)."""

    exit_code = 8


class AuthError(KaoheError):
    """A login, invitation, session or API token was refused; the message never says which part was wrong."""

    exit_code = 9


class DeliveryError(KaoheError):
    """A notification channel refused or failed a message.

    ``retryable`` says whether trying again later may succeed; ``answer`` is what the receiving server
    said, when it said something (an SMTP reply, a robot's errcode, an HTTP status), for the delivery record.
    """

    exit_code = 6

    def __init__(self, message: str, *, retryable: bool = True, answer: str | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.answer = answer


class ExternalServiceError(KaoheError):
    """A third-party API timed out or answered with something malformed or partial."""

    exit_code = 7


class StorageError(StateError):
    """kaohe could not write or move its own files (disk full, no permission); nothing was recorded."""
