"""The command layer: parse options, call the core, render the result.

Typer and Rich live only in this package. Every command is a thin wrapper over
a core function that returns a value; ``output`` renders text or JSON; one
handler turns CoproError into ``copro: error: ...`` plus a hint and the exit
code. stdout carries data, stderr carries chatter, so ``--json`` stays clean.
"""

from __future__ import annotations

import os
import sys

SCAN_AHEAD_COMMANDS = frozenset(
    {"show", "search", "similar", "report", "findings", "themes", "review", "stats", "export"}
    | {"add", "update"}
)
"""Commands whose scan of the archive starts before the imports: those that only read
records, and the one-record edits (their scan, taken under the writer lock, is checked
against what other writers did meanwhile: ``copro.store.freshness``)."""


def _launched() -> bool:
    """Whether this process is the ``copro`` command (the console script, or
    ``python -m copro``), not a program importing copro's command layer."""
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    return os.path.basename(sys.argv[0]) == "copro" or getattr(spec, "name", "") == "copro.__main__"


def _scan_ahead(args: list[str]) -> None:
    """For the commands above, start the scan of the archive's record files in a second
    process now, before the imports of the command layer (``copro.store.listing.
    scan_ahead``: at 50,000 records the scan takes about as long as those imports).

    Only the global ``--root`` is looked for before the command's name; anything
    else (an option this does not know, no command) just means no scan ahead.
    """
    root = None
    rest = iter(args)
    for arg in rest:
        if arg == "--root":
            root = next(rest, None)
        elif arg.startswith("--root="):
            root = arg.partition("=")[2]
        else:
            if arg in SCAN_AHEAD_COMMANDS:
                from copro.store.listing import scan_ahead

                scan_ahead(root)
            return


if _launched():  # before the imports below (Typer, Rich, every command: about 0.1 s)
    _scan_ahead(sys.argv[1:])

from copro.cli.app import app  # noqa: E402
from copro.core.errors import CoproError  # noqa: E402


def main() -> None:
    """Console entry point: run the app, ending quietly on a broken pipe or Ctrl-C."""
    # Reading a whole archive builds hundreds of thousands of long-lived objects
    # (the engagement model); with the default thresholds the cycle collector
    # rescans them over and over, which cost more than the reading itself
    # (findings --json at 10,000 records: 2.3 s of 3.6 s). A short-lived
    # process collects far less often instead; reference counting frees the rest.
    import gc

    gc.set_threshold(50_000, 20, 100)
    try:
        app(prog_name="copro")
    except CoproError as exc:  # raised outside a command (e.g. while completing)
        from copro.cli.output import print_error

        print_error(exc)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
    except OSError as exc:  # last resort: a file or folder the core did not expect to fail
        from copro.cli.output import print_error
        from copro.core.paths import os_error

        error = os_error(exc)
        print_error(error)
        sys.exit(error.exit_code)
    finally:
        # The command's Archive keeps what it read (the catalog of every engagement)
        # until the process ends; the collection Python runs at exit would walk all
        # of it (0.3-0.5 s at 10,000 records). Frozen objects are left to the OS.
        gc.freeze()


__all__ = ["app", "main"]
