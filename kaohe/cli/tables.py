"""Readable tables for people (rich), kept apart from the commands."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def print_table(title: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Print a table with a title; ``None`` cells show as a dash (rich is imported here, so ``--json`` never loads it)."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, title_justify="left", show_lines=False)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*("—" if cell is None else str(cell) for cell in row))
    Console(soft_wrap=True).print(table)
