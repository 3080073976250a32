"""The one error type every command raises: message, hint and exit status.

The core never prints or exits; it raises CoproError and the command layer's
single handler prints ``copro: error: ...`` plus the hint and exits with the
code. Exit codes follow the contract: 1 = the archive has problems or nothing
matched what must exist, 2 = usage error.
"""

from __future__ import annotations

EXIT_PROBLEMS = 1
EXIT_USAGE = 2


class CoproError(Exception):
    """A failure a user can act on: what went wrong, and what to do about it."""

    def __init__(self, message: str, hint: str = "", exit_code: int = EXIT_PROBLEMS) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.exit_code = exit_code


class UsageError(CoproError):
    """A command was called with options that cannot work (exit 2)."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message, hint, EXIT_USAGE)


def os_error(exc: OSError) -> CoproError:
    """An OSError nothing else caught, in copro's voice (never a traceback).

    One under the user cache is a usage problem (exit 2) whose hint names the
    variable that chose the folder; any other is a file copro could not use (exit 1).
    """
    import os

    reason = exc.strerror or exc.__class__.__name__
    filename = exc.filename if isinstance(exc.filename, str) else None
    where = f": {filename}" if filename else ""
    try:
        from copro.core.paths import cache_setting

        top, variable = cache_setting()
    except CoproError:
        top, variable = None, "COPRO_CACHE_DIR"
    in_cache = (
        filename is not None
        and top is not None
        and os.path.abspath(filename).startswith(os.path.abspath(top) + os.sep)
    )
    if in_cache or filename is None:
        hint = (
            f"if this is copro's cache (chosen by {variable}), make that folder writable "
            "or set COPRO_CACHE_DIR to a writable absolute folder"
        )
        if in_cache:
            return CoproError(f"cannot use copro's cache{where} ({reason})", hint, EXIT_USAGE)
        return CoproError(f"{reason}", hint)
    return CoproError(
        f"cannot use {filename} ({reason})",
        "check that it exists and that you may read it (and write, for commands that write); "
        "copro's own cache is set with COPRO_CACHE_DIR",
    )
