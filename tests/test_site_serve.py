"""``copro site --serve`` answers like a careful static server; ``-o LINK`` is refused."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import write_record

pytest.importorskip("pagefind", reason="copro site needs the site extra: pip install -e '.[site]'")


def _status(port: int, target: str) -> int:
    """The status code of ``GET target`` sent as raw bytes (no client-side quoting)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(f"GET {target} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode("latin-1"))
        answer = b""
        while b"\r\n" not in answer:
            chunk = conn.recv(4096)
            if not chunk:
                break
            answer += chunk
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0


def test_serve_refuses_listings_the_marker_and_malformed_paths(tmp_path: Path) -> None:
    root = tmp_path / "root"
    write_record(root, "2024-03-test-engagement")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "copro", "--root", str(root), "site", "--serve"]
    proc = subprocess.Popen(
        [*command, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(300):  # the build comes first; poll until the server answers
            try:
                if _status(port, "/") == 200:
                    break
            except OSError:
                time.sleep(0.1)
        assert _status(port, "/") == 200
        assert _status(port, "/records/2024-03-test-engagement/") == 200
        assert _status(port, "/%00") == 400
        assert _status(port, "/records/%00/") == 400
        assert _status(port, "/%ff") == 400
        assert _status(port, "/pagefind/") == 404
        assert _status(port, "/assets/") == 404
        assert _status(port, "/.copro-site") == 404
        assert _status(port, "/%2ecopro-site") == 404
        assert (root / "site" / ".copro-site").is_file()
    finally:
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=20)
    assert proc.returncode == 0, stderr
    assert "Traceback" not in stderr


def test_an_output_folder_that_is_a_symlink_is_refused(tmp_path: Path, cli) -> None:
    root = tmp_path / "root"
    write_record(root, "2024-03-test-engagement")
    target = tmp_path / "elsewhere"
    target.mkdir()
    link = tmp_path / "link"
    link.symlink_to(target, target_is_directory=True)
    result = cli("--root", str(root), "site", "-o", str(link))
    assert result.exit_code == 1
    assert "symbolic link" in result.stderr
    assert list(target.iterdir()) == [] and link.is_symlink()
    (root / "site").symlink_to(target, target_is_directory=True)
    assert cli("--root", str(root), "site").exit_code == 1
    assert list(target.iterdir()) == []
