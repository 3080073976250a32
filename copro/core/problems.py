"""A problem found in the archive: where it is, how bad, and what to do."""

from __future__ import annotations

from dataclasses import asdict, dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One finding of ``copro validate``; ``code`` is stable per kind of problem.

    ``message`` never repeats personal data: detectors describe the kind of
    data they found, never the text that matched.
    """

    path: str
    line: int
    severity: str
    code: str
    message: str

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR
