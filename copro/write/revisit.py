"""``copro revisit ID``: draft the record for going back to the people of record ID.

"Then you said this... does this still hold?" The draft copies the earlier
record's organisations, places, populations, topics, methods and ladder,
sets ``related``, asks one question per earlier finding (when it was said,
and what), and carries a commented ``revisits`` stub for each finding, so
recording the answers is uncommenting a block and choosing an outcome. It is
created the way ``copro new`` creates a record: never replacing a file, and
valid as written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from copro.core.errors import CoproError, UsageError
from copro.core.model import Engagement
from copro.core.words import month_year
from copro.store.archive import Archive
from copro.write.newrecord import (
    Created,
    check_date,
    check_id,
    check_text,
    gate_new_record,
    id_taken,
    make_id,
    write_new_record,
)

TITLE_PREFIX = "Does it still hold? "
MAX_TITLE = 200


@dataclass(frozen=True)
class Draft:
    """What the template needs: the new record's id, title and date, and the earlier record."""

    id: str
    title: str
    date: str
    earlier: Engagement
    questions: tuple[str, ...]

    @property
    def earlier_id(self) -> str:
        return self.earlier.id

    @property
    def earlier_when(self) -> str:
        return month_year(self.earlier.date)

    @property
    def earlier_year(self) -> str:
        return self.earlier.year


@dataclass(frozen=True)
class RevisitDraft:
    created: Created
    earlier: Engagement

    @property
    def recontact_via(self) -> str | None:
        """The earlier group's recontact route, only where they agreed to be contacted again."""
        return self.earlier.recontact_route


def question(earlier: Engagement, text: str) -> str:
    """One ``asked`` entry: when it was said, what was said, and the question.

    The finding is set in quotation marks only where the group agreed to quotes.
    """
    said = " ".join(text.split()).rstrip()
    if earlier.quotable:
        said = f"\u201c{said}\u201d"
    elif said[-1:] not in ".!?":
        said += "."
    return f"In {month_year(earlier.date)} you told us: {said} Does this still hold?"


def default_title(earlier: Engagement) -> str:
    title = TITLE_PREFIX + " ".join(earlier.display_title.split())
    if len(title) > MAX_TITLE:
        title = title[: MAX_TITLE - 1].rsplit(" ", 1)[0] + "\u2026"
    return title


def draft_revisit(
    archive: Archive | Path,
    record_id: str,
    date: str | None = None,
    title: str | None = None,
    new_id: str | None = None,
    dry_run: bool = False,
) -> RevisitDraft:
    """Check the options, render the draft and (unless ``dry_run``) create it."""
    archive = Archive.of(archive)
    root = archive.root
    earlier = archive.engagement(record_id)
    if earlier.withdrawn:
        raise CoproError(
            f"{record_id} was withdrawn: its findings are kept for the history, not to be "
            "revisited",
            "go back to a record that was not withdrawn (copro search lists them)",
        )
    when = check_date(date) if date else dt.date.today().isoformat()
    if when <= earlier.date:
        raise UsageError(
            f"--date {when} is not after {record_id} ({earlier.date})",
            "a revisit goes back to findings of an earlier record: give a later --date",
        )
    final_title = check_text(title, "--title") if title else default_title(earlier)
    final_id = check_id(new_id) if new_id else make_id(when, final_title, id_taken(root))
    draft = Draft(
        final_id,
        final_title,
        when,
        earlier,
        tuple(question(earlier, f.text) for f in earlier.findings),
    )
    text = render(draft)
    gate_new_record(root, final_id, text, archive.vocab)
    return RevisitDraft(write_new_record(root, final_id, text, dry_run), earlier)


def render(draft: Draft) -> str:
    from copro.write.newrecord import template_environment

    env = template_environment()
    env.filters["one_line"] = lambda text: " ".join(str(text).split())
    return env.get_template("revisit.md.j2").render(d=draft)
