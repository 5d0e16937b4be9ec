"""What the pipeline reports: a whole-file error, or a line's error (good lines are kept)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _


class TabularFormatError(ValueError):
    """The file cannot be read as a table at all (encoding, format, header): not a line's
    fault, so nothing of it is imported."""


@dataclass(frozen=True)
class LineError:
    """A line that was skipped, numbered as a spreadsheet shows it (the header is line 1)."""

    line: int
    reason: str

    def __str__(self) -> str:
        return _("line %(line)d: %(reason)s") % {"line": self.line, "reason": self.reason}

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "reason": self.reason}
