"""``copro hub sync``: bring each member of a hub up to date, or keep reading its last good commit.

Each member is fetched at its ``rev`` into the user cache (``hubgit``), its
files are written from git objects into a cache folder, and that folder passes
the member's own gate (``validate_archive`` with the member's vocabularies).
Then revisits that cross members are checked against the commits the hub will
read. A member whose new commit fails keeps being read at the commit of its
last passing sync (``hub.lock`` remembers it, and so does the member's cache, in
case hub.lock was edited), so one organisation's slip never
blanks its engagements out of the regional view.

A gate result is kept per commit in the cache, so a sync with nothing changed
upstream costs one fetch per member and a few small JSON reads.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copro.core.errors import CoproError, UsageError
from copro.core.paths import ARCHIVE_DIR, CONSENSUS_DIR, HUB_FILE, VOCAB_DIR, cache_dir
from copro.core.problems import ERROR, WARNING, Problem
from copro.core.version import VERSION
from copro.core.vocab import VOCAB_NAMES, Vocabularies, load_vocabularies
from copro.hub.hubfile import (
    HubConfig,
    LockEntry,
    Member,
    is_full_commit,
    is_hub_root,
    load_hub,
    read_lock,
    write_lock,
)
from copro.hub.hubgit import PASSED_REF, GitFailed, MemberRepo
from copro.hub.hubtree import MemberFiles, Staged

CHECK_FORMAT = 4
"""Bump when what a per-commit gate result holds changes."""
HUB_CACHE = "hub"
_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")
_REVISIT = re.compile(r"(?:([a-z0-9]+(?:-[a-z0-9]+)*):)?([0-9]{4}-[0-9]{2}-[a-z0-9-]+)#(S[0-9]+)")

Note = Callable[[str], None]


# ---------------------------------------------------------------- where things live


def hub_cache(hub_root: Path) -> Path:
    return cache_dir(hub_root) / HUB_CACHE


def member_repo(hub_root: Path, name: str) -> MemberRepo:
    return MemberRepo(hub_cache(hub_root) / name / "repo.git")


def member_files(hub_root: Path, name: str) -> MemberFiles:
    """The member's archive/ and schemas/vocab/ as the hub reads them, in the cache."""
    return MemberFiles(hub_cache(hub_root) / name, name)


def _checked_file(hub_root: Path, name: str, commit: str) -> Path:
    return hub_cache(hub_root) / name / "checked" / f"{commit}.json"


# ---------------------------------------------------------------- one commit through the gate


@dataclass(frozen=True)
class RecordSummary:
    """What the cross-member checks need of one record of a member."""

    id: str
    path: str
    date: str
    findings: tuple[str, ...]
    revisits: tuple[tuple[str, int], ...]
    """(``finding`` as written, its line) for every revisit naming another member."""
    refs: tuple[str, ...] = ()
    """Ids of this archive's records it names (related, supersedes, revisits)."""
    evidence: tuple[tuple[str, int], ...] = ()
    """For a consensus statement: (``member:ID#SN``, its line) of evidence naming another
    member (contract section 8), checked across members like revisits."""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "path": self.path,
            "date": self.date,
            "findings": list(self.findings),
            "revisits": [list(r) for r in self.revisits],
            "refs": list(self.refs),
            "evidence": [list(e) for e in self.evidence],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RecordSummary:
        return cls(
            data["id"],
            data["path"],
            data["date"],
            tuple(data["findings"]),
            tuple((str(f), int(line)) for f, line in data["revisits"]),
            tuple(data["refs"]),
            tuple((str(f), int(line)) for f, line in data.get("evidence", [])),
        )


class Checked:
    """A member commit after its own gate: what it found, and a summary of its records.

    Read back from the cache, the summaries of every record are read only when
    something asks for them (``records``, from a file of their own): a sync with
    nothing changed needs only the records that name another member
    (``crossing``, kept with the problems) and the records those name.
    """

    def __init__(
        self,
        commit: str,
        problems: list[Problem],
        records: list[RecordSummary] | None = None,
        crossing: list[RecordSummary] | None = None,
        load: Callable[[], list[RecordSummary]] | None = None,
    ) -> None:
        self.commit = commit
        self.problems = problems
        self._records = records
        self._crossing = crossing
        self._load = load
        self._by_id: dict[str, RecordSummary] | None = None

    @property
    def records(self) -> list[RecordSummary]:
        if self._records is None:
            self._records = self._load() if self._load else []
        return self._records

    @property
    def ok(self) -> bool:
        return not any(p.severity == ERROR for p in self.problems)

    def by_id(self) -> dict[str, RecordSummary]:
        if self._by_id is None:
            self._by_id = {r.id: r for r in self.records}
        return self._by_id

    def crossing(self) -> list[RecordSummary]:
        """The records (and statements) whose revisits or evidence name another member."""
        if self._crossing is None:
            self._crossing = [r for r in self.records if r.revisits or r.evidence]
        return self._crossing


def check_commit(
    hub_root: Path, name: str, repo: MemberRepo, files: MemberFiles, commit: str
) -> tuple[Checked, Staged | None]:
    """The member's own gate on ``commit``, and its staged files when they had to be written.

    The result is kept per commit (a commit never changes). When the commit
    the hub reads passed, only the files that differ from it, and the records
    that name those, are checked again: the rest passed already.
    """
    cached = _read_checked(hub_root, name, commit)
    if cached is not None:
        return cached, None
    staged = files.stage(repo, commit)
    previous = None
    if staged.base is not None and not staged.full:
        previous = _read_checked(hub_root, name, staged.base)
    checked = _gate(staged, previous)
    _write_checked(hub_root, name, checked)
    return checked, staged


OUTSIDE_HUB = ("revisit-outside-hub", "consensus-evidence-outside-hub")
"""Warnings a member's own gate gives for what only the hub can check (sync checks them)."""


def _gate(staged: Staged, previous: Checked | None) -> Checked:
    from copro.core.validate import validate_archive

    folder = staged.folder
    touched = set(staged.changed) | set(staged.removed)
    vocab_prefix = VOCAB_DIR.as_posix() + "/"
    if previous is None or not previous.ok or any(p.startswith(vocab_prefix) for p in touched):
        whole = validate_archive(folder)
        problems = staged.problems + [p for p in whole.problems if p.code not in OUTSIDE_HUB]
        return Checked(
            staged.commit, _unique(problems), summarise(whole.refs, whole.statement_refs)
        )
    names = {Path(p).stem for p in touched}
    dependents = {r.path for r in previous.records if names & set(r.refs)}
    changed = {p for p in staged.changed if p.startswith((ARCHIVE_DIR + "/", CONSENSUS_DIR + "/"))}
    selected = sorted((changed | dependents) - set(staged.removed))
    redo = set(selected) | set(staged.removed)
    result = validate_archive(folder, [folder / p for p in selected]) if selected else None
    found = result.problems if result else []
    problems = (
        staged.problems
        + [p for p in previous.problems if p.path not in redo]
        + [p for p in found if p.code not in OUTSIDE_HUB]
    )
    fresh = summarise(result.refs, result.statement_refs) if result else []
    records = [r for r in previous.records if r.path not in redo] + fresh
    records.sort(key=lambda r: r.path)
    return Checked(staged.commit, _unique(problems), records)


def _unique(problems: list[Problem]) -> list[Problem]:
    return sorted(set(problems), key=lambda p: (p.path, p.line, p.severity != ERROR, p.code))


def summarise(refs: list[Any], statements: Sequence[Any] = ()) -> list[RecordSummary]:
    """What the cross-member checks need, from what the gate read of each record (and of
    each consensus statement: its evidence naming another member)."""
    out = [
        RecordSummary(
            ref.id,
            ref.relpath,
            ref.date or "",
            (),
            (),
            tuple(f.partition("#")[0] for f, _ in ref.evidence if ":" not in f),
            tuple((f, line) for f, line in ref.evidence if ":" in f.partition("#")[0]),
        )
        for ref in statements
    ]
    for ref in refs:
        names = [target for target, _ in ref.related]
        if ref.supersedes:
            names.append(ref.supersedes[0])
        revisits = []
        for revisit in ref.revisits:
            head = revisit.finding.partition("#")[0]
            if ":" in head:
                revisits.append((revisit.finding, revisit.line))
            else:
                names.append(head)
        out.append(
            RecordSummary(
                ref.id,
                ref.relpath,
                ref.date or "",
                tuple(sorted(ref.finding_ids)),
                tuple(revisits),
                tuple(dict.fromkeys(names)),
            )
        )
    return out


def _read_checked(hub_root: Path, name: str, commit: str) -> Checked | None:
    path = _checked_file(hub_root, name, commit)
    records = _records_file(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["format"] != CHECK_FORMAT or data["version"] != VERSION:
            return None
        if not records.is_file():
            return None
        return Checked(
            commit,
            [Problem(**p) for p in data["problems"]],
            crossing=[RecordSummary.from_json(r) for r in data["crossing"]],
            load=lambda: _read_records(records),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _records_file(checked_file: Path) -> Path:
    return checked_file.with_name(checked_file.name.removesuffix(".json") + ".records.json")


def _read_records(path: Path) -> list[RecordSummary]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["format"] != CHECK_FORMAT or data["version"] != VERSION:
            raise ValueError(path)
        return [RecordSummary.from_json(r) for r in data["records"]]
    except (OSError, ValueError, KeyError, TypeError):
        raise CoproError(
            f"the hub's cache file {path} cannot be read",
            f"delete the folder {path.parent} and run `copro hub sync` again",
        ) from None


def _write_checked(hub_root: Path, name: str, checked: Checked) -> None:
    """Best effort: a result that cannot be kept only costs a gate run next time. The
    summaries go first, in a file of their own: the result is only read when both are
    there."""
    from copro.core.fileio import write_cache_json

    path = _checked_file(hub_root, name, checked.commit)
    stamp = {"format": CHECK_FORMAT, "version": VERSION}
    records = [r.to_json() for r in checked.records]
    write_cache_json(_records_file(path), {**stamp, "records": records})
    document = {
        **stamp,
        "problems": [p.to_json() for p in checked.problems],
        "crossing": [r.to_json() for r in checked.crossing()],
    }
    write_cache_json(path, document)


# ---------------------------------------------------------------- the result


@dataclass
class MemberSync:
    """What sync did for one member; ``commit`` is what the hub reads (None: left out)."""

    member: Member
    fetched: str | None = None
    commit: str | None = None
    passed: bool = False
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    candidate: Checked | None = None
    fallback: Checked | None = None
    staged: dict[str, Staged] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.member.name

    @property
    def up_to_date(self) -> bool:
        return self.passed and self.commit is not None and self.commit == self.fetched

    @property
    def reading(self) -> Checked | None:
        if self.candidate is not None and self.commit == self.candidate.commit:
            return self.candidate
        if self.fallback is not None and self.commit == self.fallback.commit:
            return self.fallback
        return None

    def to_json(self) -> dict[str, Any]:
        """The contract's shape: ``{name, commit, passed, problems: [{path, line, code, ...}]}``."""
        return {
            "name": self.name,
            "commit": self.commit,
            "passed": self.passed,
            "problems": [
                {"path": p.path, "line": p.line, "code": p.code, "message": p.message}
                for p in self.problems
            ],
        }


@dataclass
class SyncResult:
    members: list[MemberSync]
    lock_written: bool

    @property
    def behind(self) -> list[str]:
        """Members not brought up to date (their rev could not be read, or failed)."""
        return [m.name for m in self.members if not m.up_to_date]

    def to_json(self) -> dict[str, Any]:
        return {"members": [m.to_json() for m in self.members]}


# ---------------------------------------------------------------- sync


def require_hub(root: Path) -> HubConfig:
    if not is_hub_root(root):
        raise UsageError(
            f"{root} is not a hub root (it has no hub.yml)",
            "a hub root holds hub.yml naming its members; see `Joining up several "
            "organisations` in the README",
        )
    return load_hub(root)


def sync(hub_root: Path, note: Note | None = None) -> SyncResult:
    """Fetch, check and lock every member of the hub at ``hub_root``."""
    from filelock import FileLock, Timeout

    from copro.core.fileio import lock_timeout

    hub_root = hub_root.resolve()
    config = require_hub(hub_root)
    lock = read_lock(hub_root)
    hub_vocab, _ = load_vocabularies(hub_root)
    guard = hub_cache(hub_root) / "sync.lock"
    try:
        guard.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(
            f"cannot use the cache folder {guard.parent}: {exc.strerror}",
            "set COPRO_CACHE_DIR to a writable folder",
        ) from None
    try:
        with FileLock(str(guard), timeout=lock_timeout()):
            fetched = _fetch_all(hub_root, config.members, note)
            states = [
                _check_member(hub_root, member, fetched[member.name], lock.get(member.name))
                for member in config.members
            ]
            _settle_revisits(states)
            for state in states:
                _settle_files(hub_root, state, hub_vocab)
            entries = [
                LockEntry(
                    s.name,
                    s.member.url,
                    s.member.rev,
                    s.commit,
                    s.passed,
                    len(s.problems),
                )
                for s in states
            ]
            written = write_lock(hub_root, entries)
            _tidy(hub_root, states)
    except Timeout:
        raise CoproError(
            "another `copro hub sync` of this hub is running",
            "wait for it to finish (COPRO_LOCK_TIMEOUT sets how long to wait)",
        ) from None
    return SyncResult(states, written)


FETCH_WORKERS = 4
"""Fetches wait on git and the network, not on Python: a few at a time pay off."""


def _fetch_all(
    hub_root: Path, members: tuple[Member, ...], note: Note | None
) -> dict[str, str | Problem]:
    """Each member's ``rev`` fetched into its cache: the commit, or the problem."""
    from concurrent.futures import ThreadPoolExecutor

    def fetch(member: Member) -> str | Problem:
        repo = member_repo(hub_root, member.name)
        try:
            repo.ensure()
            return repo.fetch(member.location(hub_root), member.rev)
        except GitFailed as exc:
            return _fetch_problem(member, exc.message)

    if note and not members:
        note(f"This hub has no members yet: add each member's name, url and rev to {HUB_FILE} "
             "(its comments show how), then run `copro hub sync` again")  # fmt: skip
    elif note:
        note(f"Fetching {len(members)} member(s): " + ", ".join(m.name for m in members))
    with ThreadPoolExecutor(max_workers=FETCH_WORKERS) as pool:
        results = list(pool.map(fetch, members))
    return {m.name: r for m, r in zip(members, results, strict=True)}


def _check_member(
    hub_root: Path, member: Member, fetched: str | Problem, locked: LockEntry | None
) -> MemberSync:
    state = MemberSync(member)
    repo = member_repo(hub_root, member.name)
    files = member_files(hub_root, member.name)
    location = member.location(hub_root)
    if isinstance(fetched, Problem):
        state.problems.append(fetched)
    else:
        state.fetched = fetched
    if state.fetched is not None:
        try:
            checked = _check(hub_root, state, repo, files, state.fetched)
        except GitFailed as exc:
            state.problems.append(
                Problem("hub.yml", member.line, ERROR, "hub-not-an-archive", _redact(exc.message))
            )
        else:
            if checked.ok:
                state.candidate = checked
            else:
                state.problems.extend(p for p in checked.problems if p.severity == ERROR)
            state.warnings.extend(p for p in checked.problems if p.severity == WARNING)
    for remembered in _remembered(repo, locked):
        if state.candidate is not None and state.candidate.commit == remembered:
            state.fallback = state.candidate
        else:
            state.fallback = _last_passing(hub_root, state, repo, files, location, remembered)
        if state.fallback is not None:
            break
    chosen = state.candidate or state.fallback
    state.commit = chosen.commit if chosen else None
    state.passed = state.candidate is not None
    return state


def _remembered(repo: MemberRepo, locked: LockEntry | None) -> list[str]:
    """The commits to fall back to, in order: the one hub.lock pins, then the last passing
    commit the cache itself remembers (so a hub.lock edited to pin a commit that failed,
    or emptied, still falls back to what last passed)."""
    commits = [locked.commit] if locked is not None and locked.commit is not None else []
    if (repo.folder / "HEAD").is_file():  # else never synced here, or the cache was cleared
        try:
            commits.append(repo.resolve(PASSED_REF))
        except GitFailed:
            pass  # nothing has passed here yet: hub.lock is all there is
    return list(dict.fromkeys(commits))


def _check(
    hub_root: Path, state: MemberSync, repo: MemberRepo, files: MemberFiles, commit: str
) -> Checked:
    checked, staged = check_commit(hub_root, state.name, repo, files, commit)
    if staged is not None:
        state.staged[commit] = staged
    return checked


def _last_passing(
    hub_root: Path,
    state: MemberSync,
    repo: MemberRepo,
    files: MemberFiles,
    location: str,
    commit: str,
) -> Checked | None:
    """The commit the last sync read, checked again from the cache (fetched again if gone)."""
    try:
        if not repo.has_commit(commit):
            repo.fetch(location, commit)
        checked = _check(hub_root, state, repo, files, commit)
    except GitFailed:
        return None
    return checked if checked.ok else None


def _settle_files(hub_root: Path, state: MemberSync, hub_vocab: Vocabularies) -> None:
    """Make the member's folder hold the commit the hub reads; warn about unmapped terms."""
    files = member_files(hub_root, state.name)
    reading = state.reading
    if reading is not None:
        repo = member_repo(hub_root, state.name)
        staged = state.staged.get(reading.commit)
        if files.commit() != reading.commit:
            if staged is not None:
                files.promote(staged)
            else:
                files.ensure(repo, reading.commit)
            repo.mark(PASSED_REF, reading.commit)
        state.warnings.extend(unmapped_terms(files.current, hub_vocab))
    files.tidy()


def _fetch_problem(member: Member, message: str) -> Problem:
    text = _redact(message)
    if "couldn't find remote ref" in text or "not our ref" in text or "does not name" in text:
        return Problem(
            "hub.yml",
            member.line,
            ERROR,
            "hub-rev-unknown",
            f"member {member.name}: rev `{member.rev}` does not exist there ({text})",
        )
    return Problem(
        "hub.yml",
        member.line,
        ERROR,
        "hub-fetch-failed",
        f"member {member.name} could not be fetched: {text}",
    )


def _redact(message: str) -> str:
    """git's words without credentials that a URL may carry (CI logs can be public)."""
    return _USERINFO.sub("***@", message)


# ---------------------------------------------------------------- across members


def _settle_revisits(states: list[MemberSync]) -> None:
    """Check revisits naming another member against the commits the hub will read.

    A new commit whose cross-member revisit is broken fails its member, which
    then falls back to its last passing commit; that can change what others
    see, so this repeats until nothing moves (at most once per member).
    """
    for _ in range(len(states) + 1):
        reading = {s.name: s.reading for s in states}
        moved = False
        for state in states:
            current = reading[state.name]
            if current is None:
                continue
            problems = cross_member_revisits(state.name, current, reading)
            if not problems:
                continue
            if state.passed and current is state.candidate:
                state.passed = False
                state.problems.extend(problems)
                fallback = state.fallback
                state.commit = fallback.commit if fallback else None
                moved = moved or state.commit != current.commit
        if not moved:
            break
    for state in states:  # broken revisits at a commit that is read anyway are still listed
        current = state.reading
        if current is not None and not (state.passed and current is state.candidate):
            reading = {s.name: s.reading for s in states}
            for problem in cross_member_revisits(state.name, current, reading):
                if problem not in state.problems:
                    state.problems.append(problem)


def cross_member_revisits(
    name: str, checked: Checked, reading: dict[str, Checked | None]
) -> list[Problem]:
    """Every revisit of ``checked`` naming ``<member>:<id>#S<n>`` must name an earlier finding."""
    problems = []
    indexes = _Indexes(reading)
    for record in checked.crossing():
        for written, line in record.revisits:
            match = _REVISIT.fullmatch(written)
            if match is None:
                continue  # the member's own gate reports a malformed revisit
            member, record_id, finding_id = match.groups()
            member = member or name
            shown = f"{member}:{record_id}#{finding_id}"
            if member not in reading:
                message = f"revisit names {shown}, but `{member}` is not a member of this hub"
            elif member not in indexes:
                message = f"revisit names {shown}, but `{member}` has no commit the hub reads"
            elif record_id not in indexes[member]:
                message = f"revisit names {shown}: {member} has no record {record_id}"
            elif finding_id not in indexes[member][record_id].findings:
                message = f"revisit names {shown}: that record has no finding {finding_id}"
            elif not indexes[member][record_id].date < record.date:
                problems.append(
                    Problem(
                        record.path,
                        line,
                        ERROR,
                        "revisit-not-earlier",
                        f"revisit names {shown}, which is not dated before this record",
                    )
                )
                continue
            else:
                continue
            problems.append(Problem(record.path, line, ERROR, "revisit-unknown", message))
        problems += _cross_member_evidence(record, indexes, set(reading))
    return problems


class _Indexes(dict[str, dict[str, RecordSummary]]):
    """Each member's records by id, as the hub reads them, made when first named."""

    def __init__(self, reading: dict[str, Checked | None]) -> None:
        super().__init__()
        self.reading = reading

    def __contains__(self, member: object) -> bool:
        return isinstance(member, str) and self.reading.get(member) is not None

    def __missing__(self, member: str) -> dict[str, RecordSummary]:
        checked = self.reading[member]
        assert checked is not None
        self[member] = checked.by_id()
        return self[member]


def _cross_member_evidence(
    statement: RecordSummary, indexes: dict[str, dict[str, RecordSummary]], members: set[str]
) -> list[Problem]:
    """Evidence naming ``<member>:<id>#S<n>``: an existing finding of a record of that member
    dated on or before the statement (contract section 8)."""
    from copro.core.checks import RecordRefs
    from copro.core.consensus_checks import evidence_problem

    problems = []
    for written, line in statement.evidence:
        member, _, rest = written.partition(":")
        record_id = rest.partition("#")[0]
        if member not in members or member not in indexes:
            why = "is not a member of this hub" if member not in members else "has no commit"
            problems.append(
                Problem(
                    statement.path,
                    line,
                    ERROR,
                    "consensus-evidence-unknown",
                    f"evidence names {written}, but `{member}` {why} the hub reads",
                )
            )
            continue
        target = indexes[member].get(record_id)
        refs = (
            RecordRefs(target.path, target.id, (), None, target.date, frozenset(target.findings))
            if target is not None
            else None
        )
        found = evidence_problem(written, statement.date, refs)
        if found is not None:
            problems.append(Problem(statement.path, line, ERROR, *found))
    return problems


def unmapped_terms(tree: Path, hub_vocab: Vocabularies) -> list[Problem]:
    """A warning for each member term that means no hub term (it is kept as member:id)."""
    member_vocab, _ = load_vocabularies(tree)
    problems = []
    for name in VOCAB_NAMES:
        for term in member_vocab[name].terms.values():
            if term.id in hub_vocab[name]:
                continue
            if term.same_as is None:
                why = "no hub term has that id and it has no `same_as`"
            elif term.same_as in hub_vocab[name]:
                continue
            else:
                why = f"its `same_as` names `{term.same_as}`, which is not a hub term"
            problems.append(
                Problem(
                    f"schemas/vocab/{name}.yml",
                    1,
                    WARNING,
                    "hub-vocab-unmapped",
                    f"{name} term `{term.id}`: {why}; the hub keeps it as a term of its own "
                    "(add `same_as: <hub term id>` to map it)",
                )
            )
    return problems


def _tidy(hub_root: Path, states: list[MemberSync]) -> None:
    """Keep the gate results the next sync may need (what is read, what was fetched)."""
    for state in states:
        keep = {c for c in (state.commit, state.fetched) if c}
        try:
            entries = list(os.scandir(hub_cache(hub_root) / state.name / "checked"))
        except OSError:
            continue
        for entry in entries:
            commit = entry.name.partition(".")[0]  # <commit>.json, <commit>.records.json
            if is_full_commit(commit) and commit not in keep:
                Path(entry.path).unlink(missing_ok=True)
