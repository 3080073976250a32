"""``/edit/import``: upload a workbook, see the plan, confirm; ``copro import``'s own limits.

The upload is read in pieces and refused past 20 MB (as ``copro import``
refuses a larger file); it is kept under the user cache, readable by its owner
only, under a random name the confirming form carries, and removed once
applied. Planning and applying are ``copro import``'s functions: all of it or
nothing, every problem named by sheet and row.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Any

from copro.core.errors import CoproError
from copro.web.forms import FormRefused, Problem
from copro.web.writes import Context, Written

MAX_BYTES = 20 * 1024 * 1024
CHUNK = 1024 * 1024
SUFFIXES = (".xlsx", ".csv")
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def upload_dir(root: Path) -> Path:
    from copro.core.paths import cache_dir

    folder = cache_dir(root) / "serve-uploads"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def _refused(message: str) -> FormRefused:
    return FormRefused([Problem("file", message)])


async def plan_upload(ctx: Context, upload: Any) -> tuple[Any, str]:
    """Keep the uploaded file and plan its import; returns (plan, token)."""
    from starlette.concurrency import run_in_threadpool

    filename = getattr(upload, "filename", None)
    if not filename:
        raise _refused("Choose a workbook (.xlsx) or CSV file to upload")
    suffix = Path(filename).suffix.lower()
    if suffix not in SUFFIXES:
        raise _refused("The file must be a workbook (.xlsx) or a CSV file")
    token = secrets.token_hex(16)
    target = upload_dir(ctx.root) / f"{token}{suffix}"
    size = 0
    with open(target, "xb") as handle:
        os.chmod(target, 0o600)
        while chunk := await upload.read(CHUNK):
            size += len(chunk)
            if size > MAX_BYTES:
                handle.close()
                target.unlink(missing_ok=True)
                raise _refused("The file is larger than 20 MB: split it, or leave out rows "
                               "that have not changed")  # fmt: skip
            handle.write(chunk)
    try:
        plan = await run_in_threadpool(_plan, ctx, target)
    except FormRefused:
        target.unlink(missing_ok=True)
        raise
    if plan.problems or plan.nothing_to_change:
        target.unlink(missing_ok=True)
    return plan, token


def _plan(ctx: Context, path: Path) -> Any:
    from copro.write.importer import plan_import

    try:
        return plan_import(ctx.root, path, ctx.vocab)
    except CoproError as exc:
        message = exc.message.replace(path.name, "the file")
        raise _refused(f"{message[:1].upper()}{message[1:]}") from None


def _stored(ctx: Context, token: str) -> Path:
    if _TOKEN.fullmatch(token):
        for suffix in SUFFIXES:
            path = upload_dir(ctx.root) / f"{token}{suffix}"
            if path.is_file():
                return path
    raise _refused("The uploaded file has expired: upload it again")


def apply_upload(ctx: Context, token: str) -> Written:
    """Plan the kept file again (the archive may have changed) and apply all of it."""
    from copro.write.importer import apply_import

    path = _stored(ctx, token)
    plan = _plan(ctx, path)
    if plan.problems:
        raise FormRefused([Problem("file", str(p)) for p in plan.problems])
    try:
        apply_import(ctx.root, plan)
    except CoproError as exc:
        raise _refused(exc.message) from None
    path.unlink(missing_ok=True)
    paths = tuple(record.relpath for record in plan.records)
    count = len(paths)
    message = f"Import a workbook: {count} record{'s' if count != 1 else ''} changed"
    return Written("", paths, message)
