"""``--include-withdrawn``: views without ``--status`` show withdrawn records only when asked."""

from typing import Annotated

import typer

IncludeWithdrawnOption = Annotated[
    bool,
    typer.Option(
        "--include-withdrawn",
        help="Include withdrawn records (left out by default: kept only for the history).",
    ),
]
