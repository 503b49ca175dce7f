"""The ``kaohe`` command. Each command group lives in its own module; errors become one line and an exit code."""

from __future__ import annotations

import sys

import click

from kaohe.cli import calendar_cmd, cycle_cmd, extend_cmd, plan_cmd, schemes_cmd, simulate_cmd, status_cmd
from kaohe.cli.app import cli


def main() -> None:
    """Entry point of the ``kaohe`` script."""
    from kaohe.cli.app import run

    sys.exit(run(cli))


__all__ = ["calendar_cmd", "cli", "click", "cycle_cmd", "extend_cmd", "main", "plan_cmd", "schemes_cmd", "simulate_cmd", "status_cmd"]
