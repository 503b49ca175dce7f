"""The ``kaohe`` command. Each command lives in its own module, imported only when it runs (see
``kaohe.cli.app.COMMAND_MODULES``); errors become one line per problem and an exit code."""

from __future__ import annotations

import sys

from kaohe.cli.app import cli, run

__all__ = ["cli", "main"]


def main() -> None:
    """Entry point of the ``kaohe`` script."""
    sys.exit(run(cli))
