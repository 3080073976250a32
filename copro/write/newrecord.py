"""``copro new``: record an engagement, after looking back at who was already asked.

The core checks every value the way ``validate`` will (so the new file passes
as written), runs typed text through the personal-data gate before anything is
written, finds earlier engagements with the same or broader/narrower
populations on the same topics, and creates the file atomically without ever
replacing an existing one.
"""

from __future__ import annotations

import contextlib
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copro.core import pii
from copro.core.errors import CoproError, UsageError
from copro.core.fileio import archive_lock, create_new
from copro.core.model import LADDER, SECTORS, STATUSES
from copro.core.paths import ARCHIVE_DIR, iter_record_files
from copro.core.placeholders import BODY_GUIDANCE, FIELD_GUIDANCE
from copro.core.records import (
    ID_PATTERN,
    control_characters,
    not_utf8,
    not_utf8_error,
    read_record,
)
from copro.core.values import for_option, parse_choice, parse_date_iso
from copro.core.vocab import Vocabularies, resolve_term
from copro.store.archive import Archive
from copro.store.catalog import engagement_from_record

MAX_ID = 80
MADE_ID_LENGTH = 40
MADE_ID_WORDS = 5
_REVISIT_WORDS = ("does", "it", "still", "hold")
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 ,.'()/&-]*")
_YAML_WORDS = {"yes", "no", "on", "off", "true", "false", "null", "y", "n", "~"}


@dataclass
class NewRecord:
    """What a coordinator gives ``copro new``; lists hold vocabulary ids, labels or synonyms."""

    title: str | None = None
    date: str | None = None
    status: str = "planned"
    lead: str | None = None
    lead_sector: str | None = None
    places: list[str] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)
    ladder: str | None = None
    populations: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    recontact_via: str | None = None
    quotes: bool = False
    id: str | None = None

    REQUIRED = (
        ("title", "--title"),
        ("date", "--date"),
        ("lead", "--lead"),
        ("lead_sector", "--lead-sector"),
        ("places", "--place"),
        ("methods", "--method"),
        ("ladder", "--ladder"),
        ("populations", "--population"),
        ("topics", "--topic"),
    )

    def missing(self) -> list[str]:
        """Options still without a value, in the order a person would answer them."""
        return [option for name, option in self.REQUIRED if not getattr(self, name)]


@dataclass
class EarlierEngagement:
    """An engagement that asked similar people about similar topics."""

    id: str
    date: str
    title: str
    lead: str
    unanswered: int
    recontact: bool

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Created:
    id: str
    path: Path
    relpath: str
    text: str
    written: bool
    git_add: str | None


# ------------------------------------------------------------------ values


def slugify(title: str) -> str:
    title = title.replace("ß", "ss").replace("ẞ", "SS")  # NFKD has no ASCII form for it
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def make_id(date: str, title: str, taken: Callable[[str], bool] = lambda _: False) -> str:
    """An id people can type: ``YYYY-MM-`` and the first words of the title that fit
    (at most five, skipping a leading "does it still hold"), at most 40 characters in
    all; ``-2``, ``-3``... when ``taken`` says the id exists."""
    words = [w for w in slugify(title).split("-") if w]
    if words[: len(_REVISIT_WORDS)] == list(_REVISIT_WORDS):
        words = words[len(_REVISIT_WORDS) :]
    words = words[:MADE_ID_WORDS] or ["engagement"]
    record_id = _fit(date[:7] + "-", words, "")
    number = 2
    while taken(record_id):
        record_id = _fit(date[:7] + "-", words, f"-{number}")
        number += 1
    return record_id


def _fit(prefix: str, words: list[str], suffix: str) -> str:
    """``prefix`` + as many whole ``words`` as fit in ``MADE_ID_LENGTH`` + ``suffix``."""
    room = MADE_ID_LENGTH - len(prefix) - len(suffix)
    chosen: list[str] = []
    for word in words:
        if len("-".join([*chosen, word])) > room:
            break
        chosen.append(word)
    slug = "-".join(chosen) or words[0][:room].rstrip("-")
    return prefix + slug + suffix


def id_taken(root: Path) -> Callable[[str], bool]:
    """Whether a record id exists in the archive (any year folder, any case)."""
    return lambda record_id: existing_id(root, record_id) is not None


def check_id(record_id: str) -> str:
    if len(record_id) > MAX_ID or not ID_PATTERN.fullmatch(record_id):
        raise UsageError(
            f"--id {pii.quoted(record_id)} is not a record id",
            "ids are YYYY-MM- then lower-case ASCII words joined by hyphens, at most 80 "
            "characters (no slashes, dots, spaces or capitals)",
        )
    _refuse_personal_data(pii.scan_value(record_id), "--id")
    return record_id


def _refuse_personal_data(found: list[pii.Finding], option: str) -> None:
    if found:
        raise UsageError(
            f"{option} contains {pii.KINDS[found[0].code]} (not shown)", pii.LEAVE_IT_OUT
        )


def check_date(value: str, option: str = "--date") -> str:
    """A date as a person writes it (``values.parse_date``), as ``YYYY-MM-DD``."""
    return for_option(option, parse_date_iso, value)


def check_choice(value: str, choices: tuple[str, ...], option: str) -> str:
    """One of ``choices``, as the id or in words (``in progress``, ``Co-design``)."""
    what = option.lstrip("-").replace("-", " ")
    return for_option(option, lambda text: parse_choice(text, choices, what), value)


def check_text(value: str, option: str, limit: int = 200) -> str:
    text = " ".join(value.split())
    if not text:
        raise UsageError(f"{option} must not be empty")
    if len(text) > limit:
        raise UsageError(f"{option} is longer than {limit} characters")
    if not_utf8(text):
        raise not_utf8_error(option)
    controls = control_characters(text)
    if controls:
        raise UsageError(
            f"{option} contains an {controls[0][1].removesuffix('; delete it')}",
            "type the text again without it (it could hide or reorder what is shown)",
        )
    _refuse_personal_data(pii.scan_text(text), option)
    return text


def normalise_request(
    request: NewRecord, vocab: Vocabularies, taken: Callable[[str], bool] = lambda _: False
) -> NewRecord:
    """Every value checked and resolved (labels and synonyms become ids)."""
    missing = request.missing()
    if missing:
        raise UsageError(
            "missing " + ", ".join(missing),
            "give them as options, or run `copro new` at a terminal",
        )
    assert request.title and request.date and request.lead and request.lead_sector
    assert request.ladder
    clean = NewRecord(
        title=check_text(request.title, "--title"),
        date=check_date(request.date),
        status=check_choice(request.status, STATUSES, "--status"),
        lead=check_text(request.lead, "--lead"),
        lead_sector=check_choice(request.lead_sector, SECTORS, "--lead-sector"),
        places=_terms(vocab, "places", request.places, "--place"),
        methods=_terms(vocab, "methods", request.methods, "--method"),
        ladder=check_choice(request.ladder, LADDER, "--ladder"),
        populations=_terms(vocab, "populations", request.populations, "--population"),
        topics=_terms(vocab, "topics", request.topics, "--topic"),
        recontact_via=check_text(request.recontact_via, "--recontact-via")
        if request.recontact_via
        else None,
        quotes=request.quotes,
    )
    assert clean.date and clean.title
    clean.id = check_id(request.id) if request.id else make_id(clean.date, clean.title, taken)
    return clean


def _terms(vocab: Vocabularies, name: str, given: list[str], option: str) -> list[str]:
    out: list[str] = []
    for value in given:
        term = resolve_term(vocab, name, value.strip(), option)
        if term not in out:
            out.append(term)
    return out


# ------------------------------------------------------------------ asked before


def asked_before(
    archive: Archive | Path, request: NewRecord, vocab: Vocabularies, limit: int = 8
) -> list[EarlierEngagement]:
    """Earlier engagements with related populations on the same topics, else by title."""
    from copro.store.query import QuerySpec, concepts_from_text

    archive = Archive.of(archive)

    populations: set[str] = set()
    for population in request.populations:
        populations |= vocab["populations"].narrower(population)
        populations |= set(vocab["populations"].broader_chain(population))
    topics: set[str] = set()
    for topic in request.topics:
        topics |= vocab["topics"].narrower(topic)
        topics |= set(vocab["topics"].broader_chain(topic))
    store = archive.index
    store.refresh(vocab)
    hits: list[Any] = []
    if populations and topics:
        spec = QuerySpec(filters={"populations": populations, "topics": topics})
        _, hits = store.search(spec, limit, vocab)
    if not hits and request.title:
        spec = QuerySpec(concepts=concepts_from_text(request.title, vocab), match_all=False)
        _, hits = store.search(spec, limit, vocab)
    described = (_describe(archive.root, hit.path) for hit in hits)
    return [e for e in described if e and e.id != request.id]


def _describe(root: Path, rel: str) -> EarlierEngagement | None:
    record = read_record(root / rel, rel).record
    if record is None:
        return None
    engagement = engagement_from_record(record)
    return EarlierEngagement(
        id=engagement.id,
        date=engagement.date,
        title=engagement.title,
        lead=engagement.lead_name,
        unanswered=len(engagement.unanswered),
        recontact=engagement.consent.recontact,
    )


# ------------------------------------------------------------------ writing


def template_environment() -> Any:
    """Jinja2 for record templates (YAML and Markdown: values are quoted by ``yaml_text``)."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("copro", "templates"),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # YAML and Markdown, not HTML: values are quoted by yaml_text
    )
    env.filters["yaml_text"] = yaml_text
    return env


def render(request: NewRecord) -> str:
    """The new file: every required field, commented placeholders for the optional ones."""
    return (
        template_environment()
        .get_template("record.md.j2")
        .render(r=request, body=guidance_body(), example=FIELD_GUIDANCE)
    )


def guidance_body() -> str:
    """The body headings, each with its guidance as a comment that no renderer shows."""
    return "\n\n".join(f"## {head}\n\n<!-- {text} -->" for head, text in BODY_GUIDANCE.items())


def yaml_text(value: str) -> str:
    """A YAML scalar that reads back as exactly this text (quoted when it must be)."""
    if _PLAIN.fullmatch(value) and value.lower() not in _YAML_WORDS and ": " not in value:
        return value
    return json.dumps(value, ensure_ascii=False)


def existing_id(root: Path, record_id: str) -> str | None:
    """The path of a record with this id, in any year folder, ignoring case."""
    folded = record_id.casefold()
    for found in iter_record_files(root):
        if Path(found.relpath).stem.casefold() == folded:
            return found.relpath
    return None


def create_record(
    archive: Archive | Path,
    request: NewRecord,
    dry_run: bool = False,
    vocab: Vocabularies | None = None,
) -> Created:
    """Check, render and (unless ``dry_run``) create the record without replacing anything."""
    archive = Archive.of(archive)
    root = archive.root
    if vocab is None:
        vocab = archive.vocab
    clean = normalise_request(request, vocab, id_taken(root))
    assert clean.id
    text = render(clean)
    gate_new_record(root, clean.id, text, vocab)
    return write_new_record(root, clean.id, text, dry_run)


def record_rel(record_id: str) -> str:
    """archive/<YYYY>/<id>.md, never resolved: a symlinked folder must not change it."""
    return f"{ARCHIVE_DIR}/{record_id[:4]}/{record_id}.md"


def gate_new_record(root: Path, record_id: str, text: str, vocab: Vocabularies) -> None:
    """The text about to be written passes validate's own per-file checks, or nothing is
    written: every option is checked above, and this makes sure of the whole."""
    from copro.core.validate import check_file

    rel = record_rel(record_id)
    outcome = check_file(root / rel, rel, vocab, text.encode("utf-8"))
    errors = [p for p in outcome.problems if p.is_error]
    if errors:
        where = "; ".join(f"line {p.line}: {p.code}" for p in errors[:5])
        raise UsageError(
            f"the record would not pass `copro validate` ({where}); nothing was written",
            "change the values given (personal data never enters the archive)",
        )


def write_new_record(root: Path, record_id: str, text: str, dry_run: bool = False) -> Created:
    """Create ``record_id`` with ``text`` where it belongs, never replacing anything.

    An id that exists (also in another case, in any year folder) is exit 1 with
    nothing written; ``dry_run`` only says where the file would go.
    """
    rel = record_rel(record_id)
    path = root / rel
    with contextlib.nullcontext() if dry_run else archive_lock(root):
        clash = existing_id(root, record_id)  # and no other writer adds it meanwhile
        if clash:
            raise CoproError(
                f"a record with id {record_id} already exists ({clash}); nothing was written",
                "choose another --id, or edit the existing record",
            )
        if dry_run:
            return Created(record_id, path, rel, text, False, None)
        create_new(root, rel, text)
    return Created(record_id, path, rel, text, True, _git_add_hint(root, rel))


def _git_add_hint(root: Path, rel: str) -> str | None:
    from copro.core.gitrepo import is_repository

    return f"git add {rel}" if is_repository(root) else None
