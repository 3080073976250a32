"""The command layer: parse options, call the core, render the result.

Typer and Rich live only in this package. Every command is a thin wrapper over
a core function that returns a value; ``output`` renders text or JSON; one
handler turns CoproError into ``copro: error: ...`` plus a hint and the exit
code. stdout carries data, stderr carries chatter, so ``--json`` stays clean.
"""

from __future__ import annotations

import os
import sys

from copro.cli.app import app
from copro.errors import CoproError


def main() -> None:
    """Console entry point: run the app, ending quietly on a broken pipe or Ctrl-C."""
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
        from copro.errors import os_error

        error = os_error(exc)
        print_error(error)
        sys.exit(error.exit_code)


__all__ = ["app", "main"]
