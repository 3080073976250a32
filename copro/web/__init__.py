"""``copro serve``: the hub in a browser, for people who never open a terminal.

A Starlette application over the same library as the command line: the site's
pages rendered live from the record cache (``live``), plain HTML forms that
write through the command line's own writers (``forms``, ``writes``), each
write one git commit (``commit``), behind the checks of ``guard`` (host,
token or trusted proxy, CSRF). Only the ``serve`` command imports this
package, so no other command pays for the web stack.
"""

from __future__ import annotations

from copro.web.config import ServeConfig, prepare

__all__ = ["ServeConfig", "prepare"]
