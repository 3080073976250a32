"""``--member NAME``: the one option every reading command takes in a hub root."""

from typing import Annotated

import typer

MemberOption = Annotated[
    list[str] | None,
    typer.Option(
        "--member",
        metavar="NAME",
        help="In a hub: only this member's records (repeatable; an unknown name exits 2).",
    ),
]
