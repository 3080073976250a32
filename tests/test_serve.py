"""``copro serve`` over real HTTP: a uvicorn server on 127.0.0.1, real git, real files.

Security (start-up refusals, CSRF, Host, token, trusted proxy, paths, logs),
writes (each form's write is one commit by its author, validated, with the
contract's field names and status codes), personal data refused without echo,
concurrent additions, and that no other command imports the web stack.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import REPO, git, git_init, run_cli
from servekit import AUTHOR, commits, serving

pytest.importorskip("starlette", reason="needs the serve extra")

RECORD = "2019-03-somali-mothers-parenting"
RECORD_FILE = f"archive/2019/{RECORD}.md"
EMAIL = "sam.jones@example.org"


@pytest.fixture
def archive(sample_root: Path) -> Path:
    git_init(sample_root)
    return sample_root


@pytest.fixture
def running(archive: Path):
    with serving(archive) as served:
        yield served


def validate_ok(root: Path) -> None:
    result = run_cli("--root", str(root), "validate")
    assert result.exit_code == 0, result.stdout + result.stderr


# ------------------------------------------------------------------ start-up


@pytest.mark.parametrize(
    "args, said",
    [
        (["--host", "0.0.0.0"], "token"),
        (["--host", "192.0.2.1", "--trust-header", "X-User"], "go together"),
        (["--author", "nobody"], "Name <email>"),
    ],
)
def test_start_up_refusals_exit_2(archive: Path, args: list[str], said: str) -> None:
    result = run_cli("--root", str(archive), "serve", *args)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert said in result.stderr
    assert "Traceback" not in result.stderr


def test_refuses_to_start_without_an_author(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "none"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    result = run_cli("--root", str(archive), "serve")
    assert result.exit_code == 2
    assert "needs an author" in result.stderr


def test_refuses_a_folder_that_is_not_a_git_repository(sample_root: Path) -> None:
    result = run_cli("--root", str(sample_root), "serve", "--author", AUTHOR)
    assert result.exit_code == 2
    assert "git" in result.stderr


def test_other_commands_do_not_import_the_web_stack(archive: Path) -> None:
    code = (
        "import sys\n"
        "from copro.cli import app\n"
        "for args in (['--help'], ['--root', sys.argv[1], 'validate'], ['serve', '--help']):\n"
        "    try:\n"
        "        app(args, prog_name='copro')\n"
        "    except SystemExit:\n"
        "        pass\n"
        "web = sorted(m for m in sys.modules if m.split('.')[0] in ('starlette', 'uvicorn', "
        "'multipart', 'python_multipart') or m.startswith('copro.web'))\n"
        "print('WEB', web)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(archive)], capture_output=True, text=True, cwd=REPO
    )
    assert "WEB []" in done.stdout, done.stdout[-2000:] + done.stderr[-2000:]


# ------------------------------------------------------------------ reading


def test_reads_pages_health_letter_and_headers(running) -> None:
    client = running.client()
    health = client.get("/healthz")
    assert (health.status, health.body) == (200, "ok")
    home = client.get("/")
    assert home.status == 200 and "What people told us" in home.body
    assert "default-src 'none'" in home.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in home.headers["content-security-policy"]
    page = client.get(f"/records/{RECORD}/")
    assert page.status == 200 and "Somali mothers on parenting" in page.body
    assert f"edit/{RECORD}/finding" in page.body
    assert client.get(f"/records/{RECORD}").status == 308
    letter = client.get(f"/letters/{RECORD}/")
    assert letter.status == 200 and "Thank you" in letter.body
    assert client.get("/records/2019-03-no-such-record/").status == 404


def test_a_change_on_disk_shows_within_two_seconds(running, archive: Path) -> None:
    path = archive / RECORD_FILE
    path.write_text(path.read_text().replace("Somali mothers on parenting", "Renamed on disk", 1))
    deadline = time.monotonic() + 2.5
    client = running.client()
    while "Renamed on disk" not in client.get(f"/records/{RECORD}/").body:
        assert time.monotonic() < deadline, "the change did not show within 2 seconds"
        time.sleep(0.1)


@pytest.mark.parametrize(
    "path",
    ["/records/../../../etc/passwd", "/records/%2e%2e/%2e%2e/etc/passwd", "/records/%00/",
     f"/edit/{RECORD}%00/finding", "/assets/..%2fconfig.py", "/edit/..%2f..%2fetc/finding"],
)  # fmt: skip
def test_traversal_and_nul_are_refused_without_a_traceback(running, path: str) -> None:
    answer = running.client().get(path)
    assert answer.status in (400, 404), answer.status
    assert "Traceback" not in answer.body and "root:" not in answer.body


def test_a_foreign_host_header_is_refused(running) -> None:
    client = running.client()
    client.host = "attacker.example"
    assert client.get("/").status == 400
    assert client.get(f"/edit/{RECORD}/finding").status == 400


def test_allowed_host_is_answered(archive: Path) -> None:
    with serving(archive, allowed_hosts=("copro.example.org",)) as served:
        client = served.client()
        client.host = "copro.example.org"
        assert client.get("/").status == 200


# ------------------------------------------------------------------ writing


def test_add_finding_is_one_commit_by_the_author_then_shown(running, archive: Path) -> None:
    client = running.client()
    before = len(commits(archive))
    answer = client.submit(
        f"/edit/{RECORD}/finding",
        [("text", "The new group room is too far from the bus stop."), ("topic", "parenting")],
    )
    assert answer.status == 303, answer.body[:2000]
    assert answer.headers["location"] == f"/records/{RECORD}/"
    assert "too far from the bus stop" in client.get(answer.headers["location"]).body
    log = commits(archive)
    assert len(log) == before + 1
    author, subject, files = log[0]
    assert author == AUTHOR and files == [RECORD_FILE]
    assert subject.startswith("Add finding S") and RECORD in subject
    validate_ok(archive)


EVERY_FORM = [
    f"/edit/{RECORD}/finding", f"/edit/{RECORD}/action", f"/edit/{RECORD}/decision",
    f"/edit/{RECORD}/contributor", f"/edit/{RECORD}/feedback", f"/edit/{RECORD}",
    f"/edit/{RECORD}/revisit", "/edit/new", "/edit/import", "/edit/consensus",
    "/edit/2019-10-young-carers-survey/remove", "/edit/vocab",  # one nothing names
]  # fmt: skip


@pytest.mark.parametrize("path", EVERY_FORM)
def test_every_form_needs_a_valid_csrf_token(running, archive: Path, path: str) -> None:
    client = running.client()
    form = client.get(path)
    assert form.status == 200 and 'name="csrf"' in form.body
    before = (archive / RECORD_FILE).read_bytes(), len(commits(archive))
    fields = [("text", "Anything"), ("title", "Anything at all"), ("status", "done")]
    assert client.post(path, fields).status == 403
    assert client.post(path, [("csrf", "0" * 64), *fields]).status == 403
    other = running.client()  # a valid token of another session is no token here
    other.get(path)
    assert (
        client.post(path, [("csrf", form.csrf.replace(form.csrf[0], "x")), *fields]).status == 403
    )
    assert ((archive / RECORD_FILE).read_bytes(), len(commits(archive))) == before


PII_CASES = [
    (f"/edit/{RECORD}/finding", "text", [], "an e-mail address", EMAIL),
    (
        f"/edit/{RECORD}/finding",
        "note",
        [("text", "Fine words.")],
        "a phone number",
        "020 7946 0018",
    ),
    (f"/edit/{RECORD}/decision", "text", [("made_by", "joint")], "a full postcode", "N1 9GU"),
    (f"/edit/{RECORD}/contributor", "role", [("credit", "anonymous")], "an e-mail address", EMAIL),
    (
        f"/edit/{RECORD}/contributor",
        "name",
        [("role", "peer"), ("credit", "named")],
        "an e-mail address",
        EMAIL,
    ),
    (f"/edit/{RECORD}/feedback", "channel", [("date", "2019-11-20")], "an e-mail address", EMAIL),
    (
        f"/edit/{RECORD}/action",
        "text",
        [("responds_to", "S1"), ("status", "planned")],
        "an NHS number",
        "943 476 5919",
    ),
    (f"/edit/{RECORD}", "aim", [("status", "completed")], "an e-mail address", EMAIL),
    (f"/edit/{RECORD}", "summary", [], "an e-mail address", EMAIL),
    (
        f"/edit/{RECORD}",
        "what_happened",
        [("payment", "hourly")],
        "a phone number",
        "020 7946 0018",
    ),
    (f"/edit/{RECORD}", "recontact_via", [], "an e-mail address", EMAIL),
    (f"/edit/{RECORD}", "rate", [], "a phone number", "07700 900123"),
    ("/edit/new", "title", [], "an e-mail address", EMAIL),
    ("/edit/new", "lead", [], "a phone number", "07700 900123"),
    ("/edit/new", "recontact_via", [], "an e-mail address", EMAIL),
    ("/edit/vocab", "label", [("kind", "topics")], "an e-mail address", EMAIL),
]


@pytest.mark.parametrize("path, name, others, kind, value", PII_CASES)
def test_personal_data_is_refused_without_echo(
    running, archive: Path, path: str, name: str, others: list, kind: str, value: str
) -> None:
    client = running.client()
    before = len(commits(archive))
    answer = client.submit(path, [(name, f"Call {value} please"), *others])
    assert answer.status == 422, answer.body[:3000]
    assert 'role="alert"' in answer.body
    assert kind in answer.body
    assert answer.body.count(value) == 1, "the value is only in its own field"
    title = answer.body.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title.startswith("Error:") and value not in title
    field = answer.body.split(f'id="field-{name}"', 1)[1][:400]
    assert value in field
    assert f'href="#field-{name}"' in answer.body
    assert len(commits(archive)) == before


def test_update_with_a_stale_version_is_refused_409(running, archive: Path) -> None:
    client = running.client()
    form = client.get(f"/edit/{RECORD}")
    path = archive / RECORD_FILE
    path.write_text(path.read_text().replace("status: completed", "status: active", 1))
    before = path.read_bytes()
    answer = client.post(
        f"/edit/{RECORD}",
        [("csrf", form.csrf), ("version", form.version), ("status", "completed")],
    )
    assert answer.status == 409
    assert path.read_bytes() == before
    assert 'value="active" checked' in answer.body, "the form shows the record as it is now"
    fresh = client.post(
        f"/edit/{RECORD}",
        [("csrf", answer.csrf), ("version", answer.version), ("status", "completed"),
         ("participants", "14")],
    )  # fmt: skip
    assert fresh.status == 303
    assert "participants: 14" in path.read_text()


def test_two_clients_adding_findings_at_once_lose_nothing(running, archive: Path) -> None:
    clients = [running.client() for _ in range(2)]
    texts = [[f"Client {c} finding {i} about waiting times." for i in range(4)] for c in range(2)]
    forms = [c.get(f"/edit/{RECORD}/finding").csrf for c in clients]
    statuses: list[int] = []

    def add(index: int) -> None:
        for text in texts[index]:
            answer = clients[index].post(
                f"/edit/{RECORD}/finding", [("csrf", forms[index]), ("text", text)]
            )
            statuses.append(answer.status)

    threads = [threading.Thread(target=add, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [303] * 8
    saved = (archive / RECORD_FILE).read_text()
    assert all(text in saved for group in texts for text in group)
    validate_ok(archive)


def test_new_engagement_and_asked_before_panel(running, archive: Path) -> None:
    client = running.client()
    fields = [
        ("title", "Somali fathers on parenting"), ("date", "2026-03-14"), ("status", "planned"),
        ("lead", "Hiddo Women's Association"), ("lead_sector", "voluntary"),
        ("population", "somali-women"), ("topic", "parenting"), ("place", "islington"),
        ("method", "focus-group"), ("ladder", "consultation"),
    ]  # fmt: skip
    checked = client.submit("/edit/new", [*fields, ("check", "yes")])
    assert checked.status == 200
    assert "Somali mothers on parenting" in checked.body.split('id="asked-before"', 1)[1]
    created = client.post("/edit/new", [("csrf", checked.csrf), *fields])
    assert created.status == 303, created.body[:3000]
    assert created.headers["location"] == "/records/2026-03-somali-fathers-on-parenting/"
    author, subject, files = commits(archive)[0]
    assert author == AUTHOR and files == ["archive/2026/2026-03-somali-fathers-on-parenting.md"]
    validate_ok(archive)


def test_missing_answers_are_listed_in_an_error_summary(running) -> None:
    answer = running.client().submit("/edit/new", [("title", "Only a title")])
    assert answer.status == 422
    summary = answer.body.split('role="alert"', 1)[1].split("</div>", 1)[0]
    for name in ("date", "lead", "population-1", "topic-1", "ladder-1"):
        assert f'href="#field-{name}"' in summary, name


def test_revisit_writes_a_new_record_with_outcomes(running, archive: Path) -> None:
    client = running.client()
    form = client.get(f"/edit/{RECORD}/revisit")
    refs = [v for v in form.body.split('name="revisits" value="')[1:]]
    count = len(refs)
    rows = []
    for i in range(count):
        ref = refs[i].split('"', 1)[0]
        outcome, text = ("still-holds", "Mothers said this still holds.") if i == 0 else ("", "")
        rows += [("revisits", ref), ("outcome", outcome), ("text", text), ("note", "")]
    answer = client.post(
        f"/edit/{RECORD}/revisit",
        [("csrf", form.csrf), ("date", "2026-05-02"), ("title", "Checking again in 2026"), *rows],
    )
    assert answer.status == 303, answer.body[:3000]
    new_id = answer.headers["location"].split("/")[2]
    text = (archive / "archive" / "2026" / f"{new_id}.md").read_text()
    assert f"finding: {RECORD}#S1" in text and "outcome: still-holds" in text
    assert commits(archive)[0][2] == [f"archive/2026/{new_id}.md"]
    validate_ok(archive)


def test_import_upload_plan_confirm(running, archive: Path, tmp_path: Path) -> None:
    import csv
    import io

    exported = run_cli("--root", str(archive), "export", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    row = next(r for r in rows if r["record_id"] == RECORD)
    row = {**row, "finding_id": "", "finding": "Imported: the crèche closes too early."}
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerow(row)
    client = running.client()
    form = client.get("/edit/import")
    boundary = "copro-test-boundary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{form.csrf}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="f.csv"\r\n'
        f"Content-Type: text/csv\r\n\r\n{out.getvalue()}\r\n--{boundary}--\r\n"
    ).encode()
    plan = client.request(
        "POST", "/edit/import", body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )  # fmt: skip
    assert plan.status == 200, plan.body[:3000]
    assert "What this workbook changes" in plan.body
    assert "crèche" not in (archive / RECORD_FILE).read_text()
    token = plan.body.split('name="upload" value="', 1)[1].split('"', 1)[0]
    done = client.post("/edit/import", [("csrf", plan.csrf), ("upload", token)])
    assert done.status == 200, done.body[:2000]
    assert "crèche closes too early" in (archive / RECORD_FILE).read_text()
    assert commits(archive)[0][2] == [RECORD_FILE]
    validate_ok(archive)


# ------------------------------------------------------------------ who may write


def test_token_link_sets_a_strict_cookie_once(archive: Path, tmp_path: Path) -> None:
    token = "t0ken-for-tests-0123456789abcdef"
    (tmp_path / "token").write_text(token + "\n")
    with serving(archive, token_file=tmp_path / "token") as served:
        client = served.client()
        assert client.get("/").status == 401
        assert client.get(f"/records/{RECORD}/").status == 401
        first = client.get(f"/?token={token}")
        assert first.status == 303 and first.headers["location"] == "/"
        cookie = first.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        assert client.get("/").status == 200
        assert served.client().get("/?token=wrong-token-0123456789").status == 401


def test_trusted_proxy_names_the_author(archive: Path, tmp_path: Path) -> None:
    secret = "proxy-secret-0123456789abcdef"
    (tmp_path / "secret").write_text(secret)
    with serving(
        archive,
        host="127.0.0.1",
        trust_header="X-Remote-User",
        proxy_secret_file=tmp_path / "secret",
    ) as served:
        client = served.client()
        assert client.get("/").status == 403
        headers = {"X-Copro-Proxy-Secret": secret}
        assert client.get("/", headers=headers).status == 401
        headers["X-Remote-User"] = "Ruth Proxy <ruth@example.invalid>"
        form = client.get(f"/edit/{RECORD}/decision", headers=headers)
        answer = client.post(
            f"/edit/{RECORD}/decision",
            [("csrf", form.csrf), ("text", "Run the group in the morning."), ("made_by", "joint")],
            headers=headers,
        )
        assert answer.status == 303
        assert commits(archive)[0][0] == "Ruth Proxy <ruth@example.invalid>"


def test_access_log_has_no_query_or_form_values(running) -> None:
    seen: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    handler = Keep()
    logging.getLogger("copro.serve.access").addHandler(handler)
    try:
        client = running.client()
        client.get("/?q=secret-query-words")
        client.submit(f"/edit/{RECORD}/finding", [("text", "Secret form words here.")])
        for _ in range(100):  # the line is written just after the answer is sent
            if any(f"POST /edit/{RECORD}/finding 303" in line for line in seen):
                break
            time.sleep(0.05)
    finally:
        logging.getLogger("copro.serve.access").removeHandler(handler)
    assert seen and any(f"POST /edit/{RECORD}/finding 303" in line for line in seen)
    assert not any("secret" in line.lower() for line in seen), seen


def test_a_hub_root_refuses_writes_naming_the_members(tmp_path: Path) -> None:
    hub = tmp_path / "hub"
    shutil.copytree(REPO / "schemas" / "vocab", hub / "schemas" / "vocab")
    (hub / "hub.yml").write_text(
        "members:\n  - name: north\n    url: ../north-archive\n    rev: main\n"
        "  - name: south\n    url: https://clerk:s3cret-word@example.org/south.git\n"
        "    rev: main\n"
    )
    git_init(hub)
    with serving(hub) as served:
        answer = served.client().get("/edit/new")
        assert answer.status == 403
        assert "north" in answer.body and "own archive" in answer.body
        assert "example.org/south.git" in answer.body
        assert "s3cret-word" not in answer.body and "clerk" not in answer.body


def test_push_after_each_commit_and_a_failed_push_keeps_it(archive: Path, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    git(archive, "remote", "add", "origin", str(remote))
    with serving(archive, push="origin") as served:
        client = served.client()
        assert client.submit(f"/edit/{RECORD}/finding", [("text", "Pushed words.")]).status == 303
        head = git(archive, "rev-parse", "HEAD").strip()
        assert git(remote, "rev-parse", "main").strip() == head
        os.rename(remote, tmp_path / "gone.git")
        assert client.submit(f"/edit/{RECORD}/finding", [("text", "Kept words.")]).status == 303
        assert "Kept words" in commits(archive)[0][1] or commits(archive)[0][1].startswith("Add")
        assert "could not be pushed" in client.get(f"/records/{RECORD}/").body


def test_a_record_holding_personal_data_is_not_shown_in_any_form(archive: Path) -> None:
    from conftest import VALID_RECORD, write_record

    record_id = "2024-03-private-words"
    text = VALID_RECORD.format(id=record_id).replace(
        "Groups at school pick-up time do not work.", f"Write to {EMAIL} for the group."
    )
    write_record(archive, record_id, text)
    with serving(archive) as served:
        client = served.client()
        for path in (f"/edit/{record_id}/action", f"/edit/{record_id}", f"/records/{record_id}/"):
            answer = client.get(path)
            assert answer.status in (404, 422), (path, answer.status)
            assert EMAIL not in answer.body


def test_draft_and_agree_a_consensus_statement(running, archive: Path) -> None:
    client = running.client()
    drafted = client.submit(
        "/edit/consensus",
        [("title", "Parenting help in people's own language"),
         ("statement", "Parenting help works when it is in people's own language."),
         ("from", f"{RECORD}#S1"), ("from", f"{RECORD}#S2"), ("from", "")],
    )  # fmt: skip
    assert drafted.status == 303, drafted.body[:3000]
    where = drafted.headers["location"]
    statement_id = where.rsplit("/", 1)[1]
    assert where == f"/edit/consensus/{statement_id}"
    assert commits(archive)[0][2] == [f"consensus/{statement_id}.md"]
    validate_ok(archive)
    index = client.get("/edit/")
    assert f"edit/consensus/{statement_id}" in index.body
    refused = client.submit(where, [("overall", "moderate"), ("explanation", f"Ask {EMAIL}")])
    assert refused.status == 422 and refused.body.count(EMAIL) == 1
    agreed = client.submit(
        where,
        [("overall", "moderate"), ("limitations", "minor"), ("coherence", "none"),
         ("adequacy", "moderate"), ("relevance", "none"),
         ("explanation", "Two findings from one engagement, clearly said."),
         ("agreed_with", "2026-02-01; reference group of Somali mothers; 8")],
    )  # fmt: skip
    assert agreed.status == 303, agreed.body[:3000]
    assert agreed.headers["location"] == f"/consensus/{statement_id}/"
    text = (archive / "consensus" / f"{statement_id}.md").read_text()
    assert "status: agreed" in text and "overall: moderate" in text
    page = client.get(agreed.headers["location"])
    assert page.status == 200 and "Parenting help works when it is in people" in page.body
    assert client.get(f"/letters/{statement_id}/").status == 200
    author, subject, files = commits(archive)[0]
    assert author == AUTHOR and files == [f"consensus/{statement_id}.md"]
    assert subject.startswith("Agree the consensus statement")
    validate_ok(archive)


def test_a_body_over_the_upload_limit_is_refused_before_it_is_read(running) -> None:
    answer = running.client().request(
        "POST", "/edit/import", None, headers={"Content-Length": str(30 * 1024 * 1024)}
    )
    assert answer.status == 413


def test_update_form_sets_every_field_of_the_field_table(running, archive: Path) -> None:
    """Each row of copro.core.fields is a field of the form, named as update's option;
    what is left as the record has it is not written again."""
    from copro.core.fields import FIELDS

    client = running.client()
    form = client.get(f"/edit/{RECORD}")
    for row in FIELDS:
        assert f'name="{row.form_name}"' in form.body, row.form_name
    path = archive / RECORD_FILE
    before = path.read_text()
    kept = [(name, value) for name, value in re_fields(form.body) if name != "csrf"]
    changed = [
        *[(k, v) for k, v in kept if k not in ("title", "place", "ladder")],
        ("title", "Somali mothers on parenting, family support and language"),
        ("place", "islington"), ("place", "camden"),
        ("ladder", "co-design"),
        ("asked", "Where would you go first for help?"),
    ]  # fmt: skip
    answer = client.post(f"/edit/{RECORD}", [("csrf", form.csrf), *changed])
    assert answer.status == 303, answer.body[:3000]
    after = path.read_text()
    assert "title: Somali mothers on parenting, family support and language" in after
    assert "- camden" in after and "ladder: co-design" in after
    assert "Where would you go first for help?" in after
    gone = [line for line in before.splitlines() if line not in after.splitlines()]
    assert not [line for line in gone if line.startswith(("status:", "date:", "end_date:",
                "aim:", "participants:", "populations:", "topics:"))], gone  # fmt: skip
    subject = commits(archive)[0][1]
    assert subject.startswith(f"Update {RECORD}:")
    validate_ok(archive)
    same = client.get(f"/edit/{RECORD}")
    unchanged = client.post(f"/edit/{RECORD}", [("csrf", same.csrf), *re_fields(same.body)])
    assert unchanged.status == 422, commits(archive)[0][1]
    assert "Nothing was changed" in unchanged.body


def test_update_form_sets_consent_recognition_and_sections(running, archive: Path) -> None:
    """``update``'s own options (--quotes, --recontact-via, --no-recontact, --payment,
    --rate, --other, --summary, ...) are fields of the form, named as the options; only
    what was changed is written, one commit each, and the record stays valid."""
    client = running.client()
    form = client.get(f"/edit/{RECORD}")
    for name in ("quotes", "recontact_via", "no_recontact", "payment", "rate", "other",
                 "summary", "what_happened", "reflections"):  # fmt: skip
        assert f'name="{name}"' in form.body, name
    path = archive / RECORD_FILE
    before = path.read_text()
    assert before.count("Islington Family Hubs engagement team") == 1
    untouched = before.split("## What happened", 1)[1]
    sent = [(k, v) for k, v in re_fields(form.body) if k not in ("csrf", "payment", "rate")]
    sent = [(k, v) for k, v in sent if k not in ("summary", "recontact_via")]
    answer = client.post(
        f"/edit/{RECORD}",
        [("csrf", form.csrf), *sent, ("payment", "hourly"), ("rate", "£15 an hour"),
         ("quotes", "yes"), ("recontact_via", "Hiddo Women's Association office"),
         ("summary", "Seven meetings with Somali mothers in Islington.\r\nIn Somali.\r\n")],
    )  # fmt: skip
    assert answer.status == 303, answer.body[:3000]
    after = path.read_text()
    assert "payment: hourly" in after and 'rate: "£15 an hour"' in after
    assert "quotes: true" in after and "recontact: true" in after
    assert "recontact_via: Hiddo Women's Association office" in after
    assert "## Summary\n\nSeven meetings with Somali mothers in Islington.\nIn Somali.\n\n" in after
    assert "- certificates" in after and after.split("## What happened", 1)[1] == untouched
    assert len(commits(archive)) == 2 and commits(archive)[0][1].startswith(f"Update {RECORD}:")
    validate_ok(archive)
    again = client.get(f"/edit/{RECORD}")
    assert 'value="hourly" checked' in again.body and "In Somali." in again.body
    unticked = [(k, v) for k, v in re_fields(again.body) if (k, v) != ("quotes", "yes")]
    assert ("quotes", "no") in unticked, "the hidden no comes with the box"
    answer = client.post(f"/edit/{RECORD}", [*unticked, ("no_recontact", "yes")])
    assert answer.status == 303, answer.body[:3000]
    after = path.read_text()
    assert "quotes: false" in after and "recontact: false" in after
    assert "Hiddo Women's Association office" not in after
    assert len(commits(archive)) == 3
    validate_ok(archive)


def test_update_form_refuses_recognition_without_a_payment(running, archive: Path) -> None:
    """As ``update --rate`` on a record with no recognition: the library's refusal, named
    in the form's words at the payment field, nothing written."""
    path = archive / RECORD_FILE
    text = path.read_text()
    start = text.index("recognition:")
    path.write_text(text[:start] + text[text.index("consent:") :])
    git(archive, "commit", "-qam", "No recognition")
    before = path.read_bytes(), len(commits(archive))
    answer = running.client().submit(f"/edit/{RECORD}", [("rate", "£10 a session")])
    assert answer.status == 422, answer.body[:3000]
    assert 'role="alert"' in answer.body and 'href="#field-payment-1"' in answer.body
    assert "--payment" not in answer.body
    assert (path.read_bytes(), len(commits(archive))) == before


def re_fields(body: str) -> list[tuple[str, str]]:
    """The values a browser would send for a form as shown: text inputs, checked boxes
    and radios, textareas (enough for the update form)."""
    import html
    import re

    form = body.split('<form class="edit-form"', 1)[1].split("</form>", 1)[0]
    sent = []
    for tag in re.findall(r"<input [^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        if not name or (kind and kind[1] in ("checkbox", "radio") and " checked" not in tag):
            continue
        sent.append((name[1], html.unescape(value[1]) if value else ""))
    for name, text in re.findall(
        r'<textarea [^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S
    ):
        sent.append((name, html.unescape(text)))
    return sent


DAY_FIRST = [
    (f"/edit/{RECORD}/feedback", "date", "20/11/2019",
     [("channel", "community meeting")], "2019-11-20"),
    (f"/edit/{RECORD}/decision", "date", "1 June 2019",
     [("text", "Hold the group on Saturdays."), ("made_by", "joint")], "2019-06-01"),
    (f"/edit/{RECORD}/action", "date", "2/7/2019",
     [("responds_to", "S1"), ("status", "done"), ("text", "A course in Somali.")], "2019-07-02"),
    (f"/edit/{RECORD}", "review_by", "1.3.2027", [("status", "completed")], "2027-03-01"),
]  # fmt: skip


@pytest.mark.parametrize("path, name, typed, others, kept", DAY_FIRST)
def test_dates_in_forms_are_read_as_the_command_line_reads_them(
    running, archive: Path, path: str, name: str, typed: str, others: list, kept: str
) -> None:
    """Day first (D/M/YYYY) or in words (D Month YYYY), kept as YYYY-MM-DD."""
    answer = running.client().submit(path, [(name, typed), *others])
    assert answer.status == 303, answer.body[:3000]
    assert kept in (archive / RECORD_FILE).read_text()
    validate_ok(archive)


# ------------------------------------------------------------------ remove, vocabulary

UNNAMED = "2019-10-young-carers-survey"
UNNAMED_FILE = f"archive/2019/{UNNAMED}.md"


def test_remove_needs_the_box_ticked_then_is_one_commit(running, archive: Path) -> None:
    client = running.client()
    form = client.get(f"/edit/{UNNAMED}/remove")
    assert form.status == 200 and UNNAMED_FILE in form.body
    assert 'name="yes"' in form.body and 'name="version"' in form.body
    before = len(commits(archive))
    unticked = client.post(
        f"/edit/{UNNAMED}/remove", [("csrf", form.csrf), ("version", form.version)]
    )
    assert unticked.status == 422 and 'role="alert"' in unticked.body
    assert 'href="#field-yes"' in unticked.body
    assert (archive / UNNAMED_FILE).exists() and len(commits(archive)) == before
    answer = client.post(
        f"/edit/{UNNAMED}/remove",
        [("csrf", form.csrf), ("version", form.version), ("yes", "yes")],
    )
    assert answer.status == 303 and answer.headers["location"] == "/records/"
    assert not (archive / UNNAMED_FILE).exists()
    author, subject, files = commits(archive)[0]
    assert (author, subject, files) == (AUTHOR, f"Remove {UNNAMED}", [UNNAMED_FILE])
    assert git(archive, "status", "--porcelain", "--", UNNAMED_FILE) == ""
    assert client.get(f"/records/{UNNAMED}/").status == 404
    validate_ok(archive)


def test_remove_refuses_a_record_another_names_and_a_stale_form(running, archive: Path) -> None:
    client = running.client()
    before = len(commits(archive))
    # The form is not offered for a named record; a POST (a tab open since before the
    # record was named) is still refused.
    csrf = client.get(f"/edit/{UNNAMED}/remove").csrf
    named = client.post(f"/edit/{RECORD}/remove", [("csrf", csrf), ("yes", "yes")])
    assert named.status == 422 and "is named by" in named.body and 'role="alert"' in named.body
    assert (archive / RECORD_FILE).exists()
    form = client.get(f"/edit/{UNNAMED}/remove")
    path = archive / UNNAMED_FILE
    path.write_text(path.read_text().replace("status: completed", "status: active", 1))
    stale = client.post(
        f"/edit/{UNNAMED}/remove",
        [("csrf", form.csrf), ("version", form.version), ("yes", "yes")],
    )
    assert stale.status == 409 and path.exists()
    assert len(commits(archive)) == before


def test_the_remove_form_says_before_it_is_sent_what_names_the_record(
    running, archive: Path
) -> None:
    """GOV.UK: do not offer an action that will be refused. A record others name is kept;
    the form says so when it is shown, with links to what names it, and offers no button."""
    client = running.client()
    form = client.get(f"/edit/{RECORD}/remove")
    assert form.status == 200
    text = " ".join(form.body.split())
    assert "<h2>This record cannot be removed</h2>" in form.body
    follow_up = "2024-04-somali-mothers-parenting-follow-up"
    assert f'records/{follow_up}/"' in form.body
    assert "Does it still hold? Returning to Somali mothers on parenting" in text
    assert "goes back to what people said in it" in text
    assert "withdrawn" in text
    assert 'name="yes"' not in form.body and "Remove the record</button>" not in form.body
    unnamed = client.get(f"/edit/{UNNAMED}/remove")
    assert 'name="yes"' in unnamed.body
    assert "<h2>This record cannot be removed</h2>" not in unnamed.body


def test_add_a_vocabulary_term_then_choose_it(running, archive: Path) -> None:
    client = running.client()
    answer = client.submit(
        "/edit/vocab",
        [("kind", "topics"), ("label", "Bus passes"), ("synonym", "travel passes"),
         ("synonym", "")],
    )  # fmt: skip
    assert answer.status == 303, answer.body[:3000]
    assert answer.headers["location"] == "/edit/vocab?added=topics/bus-passes"
    assert "Term added" in client.get(answer.headers["location"]).body
    author, subject, files = commits(archive)[0]
    assert author == AUTHOR and "bus-passes" in subject
    assert files == ["schemas/vocab/topics.yml"]
    assert "travel passes" in (archive / "schemas/vocab/topics.yml").read_text()
    assert 'value="bus-passes"' in client.get("/edit/new").body
    again = client.submit("/edit/vocab", [("kind", "topics"), ("label", "Travel passes")])
    assert again.status == 422 and "already names" in again.body
    assert 'href="#field-label"' in again.body
    missing = client.submit("/edit/vocab", [])
    assert missing.status == 422
    assert 'href="#field-kind-1"' in missing.body and 'href="#field-label"' in missing.body
    validate_ok(archive)


# ------------------------------------------------------------------ stopping


def processes_naming(text: str) -> list[str]:
    """Command lines of the running processes that name ``text`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            line = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if text in line and state != "Z":
            found.append(line)
    return found


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="reads /proc (Linux)")
def test_stopping_the_server_ends_its_search_build(tmp_path: Path, private_cache: Path) -> None:
    """The site build serve starts for its search must not outlive it (nor keep writing
    into the cache): Ctrl-C ends the server and every process of the build, including
    the indexer it runs beside the rendering (650 records: long enough to catch it)."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    from synthetic import generate

    root = tmp_path / "large"
    generate(root, 650)
    git_init(root)
    command = [sys.executable, "-m", "copro", "--root", str(root), "serve", "--port", "0",
               "--author", AUTHOR]  # fmt: skip
    server = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stderr is not None
        for line in server.stderr:
            if "http://127.0.0.1:" in line:
                break
        deadline = time.monotonic() + 240
        # stop it while the build runs a process of its own (Pagefind, indexing pages)
        while not any("pagefind" in p for p in processes_naming(str(private_cache))):
            assert time.monotonic() < deadline, "serve started no search build"
            time.sleep(0.02)
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=60) in (0, 130)  # 130: ended by Ctrl-C
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert processes_naming(str(private_cache)) == []
    assert processes_naming(str(root)) == []


def test_a_members_term_page_at_its_old_address_is_moved_for_good(running) -> None:
    """Sites before the slug had ``places/member:id/``; links made to it lead on (301)."""
    client = running.client()
    old = client.get("/places/hiddo:chapeltown/")
    assert old.status == 301 and old.headers["location"] == "/places/hiddo--chapeltown/"
    assert client.get("/places/no-such-place/").status == 404  # nothing else moves


# ------------------------------------------------------------------ one item of a record


def test_one_finding_action_and_contributor_each_have_a_form(running, archive: Path) -> None:
    """Each item is shown as the record has it and saved as ``copro update`` saves it: one
    commit each, the rest of the file byte for byte, validate still passing."""
    client = running.client()
    page = client.get(f"/records/{RECORD}/")
    assert f'edit/{RECORD}/finding/S3"' in page.body and f'edit/{RECORD}/action/D3"' in page.body
    assert f'edit/{RECORD}/contributor/2"' in page.body
    form = client.get(f"/edit/{RECORD}/action/D3")
    assert form.status == 200 and "Move sessions to mid-morning with a creche." in form.body
    path = archive / RECORD_FILE
    before = path.read_text()
    moved = client.submit(
        f"/edit/{RECORD}/action/D3",
        [("status", "in-progress"), ("text", "Move sessions to mid-morning with a creche."),
         ("date", ""), ("reason", "")],
    )  # fmt: skip
    assert moved.status == 303, moved.body[:3000]
    after = path.read_text()
    assert "status: in-progress" in after
    assert [line for line in after.splitlines() if line not in before.splitlines()] == [
        "  status: in-progress"
    ]
    assert commits(archive)[0][1].startswith(f"Update {RECORD}")
    credit = client.submit(f"/edit/{RECORD}/contributor/1", [("credit", "anonymous"), ("name", "")])
    assert credit.status == 303, credit.body[:3000]
    assert "Ubah Warsame-Ellery" not in path.read_text()
    anonymous = client.get(f"/edit/{RECORD}/contributor/1")
    assert "Ubah" not in anonymous.body
    validate_ok(archive)


LATER_TITLE = "Does it still hold? Returning to Somali mothers on parenting"
UNCHECKED = "2025-02-hospital-discharge-carers"
UNCHECKED_FILE = f"archive/2025/{UNCHECKED}.md"


def test_the_reword_box_is_only_on_a_finding_checked_again_later(running, archive: Path) -> None:
    """S3 was checked again by the 2024 follow-up: its form has the box, naming that
    record; a finding nobody went back to has no box, and its words change without one."""
    client = running.client()
    checked = client.get(f"/edit/{RECORD}/finding/S3")
    assert 'id="field-reword"' in checked.body
    assert f"\u201c{LATER_TITLE}\u201d went back to this finding" in checked.body
    unchecked = client.get(f"/edit/{UNCHECKED}/finding/S1")
    assert unchecked.status == 200 and 'name="reword"' not in unchecked.body
    assert "later record" not in unchecked.body
    new_words = "Carers hear about discharge on the day it happens."
    done = client.submit(f"/edit/{UNCHECKED}/finding/S1", [("text", new_words)])
    assert done.status == 303, done.body[:3000]
    assert new_words in (archive / UNCHECKED_FILE).read_text()
    validate_ok(archive)


def test_a_finding_checked_again_after_its_form_was_shown_gets_the_box(
    running, archive: Path
) -> None:
    """The form came without the box; meanwhile a later record went back to the finding:
    the rewording is refused on the box, which the form now shows."""
    client = running.client()
    form = client.get(f"/edit/{UNCHECKED}/finding/S2")
    assert 'name="reword"' not in form.body
    later = client.submit("/edit/2026-03-maternity-experiences-refugee-women/finding", [
        ("text", "Carers are still not asked what they can do."),
        ("revisits", f"{UNCHECKED}#S2"), ("outcome", "still-holds"),
    ])  # fmt: skip
    assert later.status == 303, later.body[:3000]
    sent = client.post(f"/edit/{UNCHECKED}/finding/S2", [
        ("csrf", form.csrf), ("version", form.version),
        ("text", "Nobody asks the carer what they can do."),
    ])  # fmt: skip
    assert sent.status == 422, sent.body[:3000]
    assert '<a href="#field-reword">' in sent.body and 'id="field-reword"' in sent.body
    assert "Nobody asks the carer" not in (archive / UNCHECKED_FILE).read_text()


def test_rewording_a_finding_checked_again_later_needs_its_box(running, archive: Path) -> None:
    client = running.client()
    words = [("text", "Many mothers fear that asking for help brings social services.")]
    refused = client.submit(f"/edit/{RECORD}/finding/S3", words)
    assert refused.status == 422 and 'role="alert"' in refused.body
    assert '<a href="#field-reword">A later record checked this finding again' in refused.body
    assert "--yes" not in refused.body
    assert "brings social services" not in (archive / RECORD_FILE).read_text()
    done = client.submit(f"/edit/{RECORD}/finding/S3", [*words, ("reword", "yes")])
    assert done.status == 303, done.body[:3000]
    assert "brings social services" in (archive / RECORD_FILE).read_text()
    nothing = client.submit(f"/edit/{RECORD}/finding/S3", [*words, ("reword", "yes")])
    assert nothing.status == 422 and "Nothing was changed" in nothing.body
    assert client.get(f"/edit/{RECORD}/finding/S99").status == 404
    assert client.get(f"/edit/{RECORD}/decision/1").status == 404
    validate_ok(archive)
