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
