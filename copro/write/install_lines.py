"""The lines that install copro in an archive's CI workflows, its contributors' README
and its pre-commit config: written by ``init`` for a new archive (scaffold) and
rewritten on an existing one (reinit), so both take them from here."""

from __future__ import annotations

import shlex

from copro.write.install_source import DIST_NAME, InstallSource

UNKNOWN_INSTALL = (
    "copro init could not tell where to install copro from ({why}). "
    "Replace this step with: python -m pip install "
    f'"{DIST_NAME} @ git+https://<copro repository>@<tag>" (or "{DIST_NAME}==<version>"), '
    "or run this in the archive's folder: copro init . --install SPEC"
)
SPEC_EXAMPLE = f"{DIST_NAME} @ git+https://<copro repository>@<tag>"


def install_step(source: InstallSource, workflow: str = "validate.yml") -> str:
    """The workflow step that installs copro: the known line, or one that fails saying why
    (the failure annotates ``workflow``, the file that holds the step to fix)."""
    if source.spec is not None:
        return (
            "      - name: Install copro\n"
            "        run: |\n"
            f"          python -m pip install {shlex.quote(source.spec)}"
        )
    message = UNKNOWN_INSTALL.format(why=source.why_unknown)
    return (
        "      - name: Install copro (set the install line here)\n"
        "        run: |\n"
        f"          echo {shlex.quote(f'::error file=.github/workflows/{workflow}::' + message)}\n"
        "          exit 1"
    )


def pipx_line(source: InstallSource) -> str:
    """The contributor README's install command."""
    if source.spec is not None:
        return f"pipx install {shlex.quote(source.spec)}"
    return placeholder_pipx_line()


def placeholder_pipx_line() -> str:
    """The README's install command when init could not tell (``--install`` replaces it)."""
    return f"pipx install '{SPEC_EXAMPLE}'   # ask whoever runs this archive"


PRECOMMIT_LOCAL_COMMENT = (
    "# copro-validate checks the staged records with the copro installed on this machine.\n"
    "# To use copro's own hook repository instead (pre-commit installs copro itself),\n"
    "# run this in the archive's folder:\n"
    "#   copro init . --hook-repo URL --hook-rev TAG\n"
)
"""The local hook's explanation; pinning the hook on an existing archive removes it."""
PRECOMMIT_LOCAL_COMMENTS = (
    PRECOMMIT_LOCAL_COMMENT,
    PRECOMMIT_LOCAL_COMMENT.replace(
        "itself),\n# run this in the archive's folder:\n#   copro init . --hook-repo",
        "itself):\n#   copro init --hook-repo",
    ),  # as copro 0.3 wrote it
)
