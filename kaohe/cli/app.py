"""The click group, shared context (settings, calendar) and the error boundary."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kaohe.errors import ConfigError, InputError, KaoheError
from kaohe.limits import Limits, limits_scope, use_limits
from kaohe.settings import Settings, get_settings

if TYPE_CHECKING:

    from kaohe.services.context import AppContext
    from kaohe.workdays import WorkdayCalendar

COMMAND_MODULES = {
    "accounts": "accounts_cmd", "web": "web_cmd",
    "calendar": "calendar_cmd", "cycle": "cycle_cmd", "extend": "extend_cmd", "order": "order_cmd", "plan": "plan_cmd", "proof": "proof_cmd", "special": "special_cmd", "constraints": "constraints_cmd",
    "rectify": "results_cmd", "results": "results_cmd", "review": "review_cmd", "sample": "sample_cmd",
    "schemes": "schemes_cmd", "score": "score_cmd", "serve": "serve_cmd", "simulate": "simulate_cmd", "status": "status_cmd",
    "submissions": "submit_cmd", "submit": "submit_cmd", "verify": "verify_cmd",
}


class LazyGroup(click.Group):
    """Imports a command's module only when that command runs, so ``kaohe plan`` does not pay for
    the spreadsheet, report and evaluator libraries that other commands use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMAND_MODULES))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            import importlib

            importlib.import_module(f"kaohe.cli.{COMMAND_MODULES[cmd_name]}")
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """kaohe（考核）：扶贫考核年度日程的工作流引擎。"""


def settings() -> Settings:
    """The settings in force (their input limits installed, see ``kaohe.limits``); a malformed KAOHE_* variable
    is a ConfigError."""
    current = get_settings()
    use_limits(Limits.from_settings(current))
    return current


def app_context(*, migrate: bool = True) -> AppContext:
    """The application context of this command: settings, the database (migrated unless told not to), clock and calendar."""
    from kaohe.services.context import build_context, migrate_once

    current = settings()
    if not (_CONTEXT and _CONTEXT[0].settings is current):
        _CONTEXT[:] = [build_context(current, migrate=False)]
    if migrate:
        migrate_once(_CONTEXT[0].database_url)
    return _CONTEXT[0]


_CONTEXT: list[AppContext] = []
"""The command's context, built once (the settings it was built from are cached too)."""


def calendar() -> WorkdayCalendar:
    """The working-day calendar: the built-in table merged with KAOHE_HOLIDAYS_FILE (read once per command)."""
    from kaohe.workdays import load_calendar

    if not _CALENDAR:
        current = settings()
        _CALENDAR.append(load_calendar(current.holidays_file, cache_dir=current.home / "cache" / "calendar"))
    return _CALENDAR[0]


_CALENDAR: list[WorkdayCalendar] = []
"""The calendar of the command that runs (emptied when a command starts: its files may have changed)."""


def emit_json(payload: Any) -> None:
    """Print ``payload`` as UTF-8 JSON (Chinese kept readable)."""
    import json

    click.echo(json.dumps(payload, ensure_ascii=False, indent=2, default=str))


def run(group: click.Group, args: list[str] | None = None) -> int:
    """Run the CLI; every KaoheError is printed as one line per problem on stderr, never a traceback."""
    _CALENDAR.clear()
    with limits_scope():
        return _run(group, args)


def _run(group: click.Group, args: list[str] | None) -> int:
    try:
        with suppress(ConfigError):
            settings()
        group.main(args=args, prog_name="kaohe", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("已取消", err=True)
        return 130
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except InputError as error:
        for line in error.details():
            click.echo(f"错误：{printable(line)}", err=True)
        return error.exit_code
    except KaoheError as error:
        click.echo(f"错误：{printable(str(error))}", err=True)
        return error.exit_code
    except KeyboardInterrupt:
        click.echo("已中断", err=True)
        return 130
    return 0


def write_output(path: Path, data: bytes) -> None:
    """Write a command's output file whole (written aside, then moved into place); a path that is a directory
    or lies in a missing directory is one InputError line."""
    import tempfile

    from kaohe.errors import Problem
    from kaohe.inputfiles import storage_error

    if path.is_dir():
        raise InputError(Problem("输出路径是一个目录，请给出文件名", file=str(path)))
    if not path.parent.is_dir():
        raise InputError(Problem(f"输出文件所在的目录 {path.parent} 不存在", file=str(path)))
    temporary: Path | None = None
    try:
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
        temporary = Path(name)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except OSError as error:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        raise storage_error(path, error) from None


LINE_MAX_CHARS = 500
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(line: str) -> str:
    """One error line safe for a terminal: control characters (newlines, ANSI escapes) shown as ``\\xNN``,
    at most ``LINE_MAX_CHARS`` characters."""
    shown = _CONTROL.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), line)
    return shown if len(shown) <= LINE_MAX_CHARS else shown[: LINE_MAX_CHARS - 1] + "…"


def json_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """The ``--json`` flag every command shares."""
    return click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（供程序读取）")(func)


if __name__ == "__main__":
    sys.exit(run(cli))
