"""Tables that fit an ordinary terminal: ids never wrap, columns give way by importance.

An id is copied into ``show`` or ``report``, so it is never folded. Columns are
added in order of importance while they fit at their minimum width; when even
the essential ones do not fit, the rows are printed as a list instead (one
block per row, the id on its own line).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Column:
    name: str
    min_width: int
    no_wrap: bool = False
    ratio: int | None = None
    style: str | None = None
    justify: str = "left"


def fitting(
    columns: Sequence[Column], importance: Sequence[str], essential: int, width: int
) -> list[Column] | None:
    """The columns that fit in ``width``, in display order; None when the first
    ``essential`` names of ``importance`` do not all fit (use a list then)."""
    by_name = {c.name: c for c in columns}
    used, chosen = 1, set()  # the table's left border
    for rank, name in enumerate(importance):
        need = by_name[name].min_width + 3  # padding either side and a border
        if used + need <= width:
            chosen.add(name)
            used += need
        elif rank < essential:
            return None
    return [c for c in columns if c.name in chosen]


def table_or_list(
    console: Any,
    columns: Sequence[Column],
    importance: Sequence[str],
    essential: int,
    rows: Sequence[dict[str, str]],
    as_list: Callable[[dict[str, str]], Sequence[Any]],
    **table_options: Any,
) -> None:
    """Print ``rows`` (column name -> Rich markup) as a table that fits, else as a list."""
    from rich.table import Table

    shown = fitting(columns, importance, essential, console.width)
    if shown is None:
        for row in rows:
            first, *rest = as_list(row)
            console.print(first, soft_wrap=True)  # the id line: never broken
            for part in rest:
                console.print(part, soft_wrap=False)  # wrapped to the terminal
            console.print()
        return
    table = Table(**table_options)
    for column in shown:
        table.add_column(
            column.name,
            min_width=column.min_width,
            no_wrap=column.no_wrap,
            ratio=column.ratio,
            style=column.style,
            justify=column.justify,  # type: ignore[arg-type]
            overflow="ellipsis" if column.no_wrap else "fold",
        )
    for row in rows:
        table.add_row(*(row[column.name] for column in shown))
    console.print(table)
