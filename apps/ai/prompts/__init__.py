"""Versioned prompt files: <folder>/<prompt>/v<N>.md, loaded and cached by this registry.

A generation kind names its prompt and the folder holding it (its owning app's `prompts`
folder, registered with the kind); prompts of no registered folder live here, apps/ai/prompts.

A file holds the system prompt, a line `=== user ===`, then the user template. Templates use
`$name` placeholders (string.Template), so JSON braces in the text need no escaping. The
version id ("listing_content@v1") is stored on every draft and usage row, so feedback metrics
compare prompt versions. A new wording is a new file: never edit a version drafts point to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from string import Template

from apps.ai import conf

PROMPTS_DIR = Path(__file__).resolve().parent
SEPARATOR = "=== user ==="
_FOLDERS: dict[str, Path] = {}  # prompt id -> the folder holding its version files


def prompt_folder_register(kind: str, folder: Path) -> None:
    """Prompt `kind` lives in `folder`/<kind>/ (called when a generation kind registers)."""
    _FOLDERS[kind] = Path(folder)


def _folder(kind: str) -> Path:
    return _FOLDERS.get(kind, PROMPTS_DIR) / kind


@dataclass(frozen=True)
class Prompt:
    kind: str
    version: str  # "v1"
    system: str
    user: Template

    @property
    def id(self) -> str:
        return f"{self.kind}@{self.version}"

    def render_user(self, **values: str) -> str:
        return self.user.substitute(**values)


def versions(kind: str) -> list[str]:
    """Available versions of a kind, oldest first (v2 before v10)."""
    folder = _folder(kind)
    found = [p.stem for p in folder.glob("v*.*") if re.fullmatch(r"v\d+", p.stem)]
    return sorted(found, key=lambda v: int(v[1:]))


@lru_cache(maxsize=64)
def _load(kind: str, version: str, folder: Path) -> Prompt:
    files = [p for p in folder.glob(f"{version}.*") if p.suffix in (".md", ".txt")]
    if not files:
        raise LookupError(f"No prompt {kind}@{version}.")
    text = files[0].read_text(encoding="utf-8")
    system, sep, user = text.partition(SEPARATOR)
    if not sep:
        raise ValueError(f"Prompt {kind}@{version} has no '{SEPARATOR}' line.")
    return Prompt(kind=kind, version=version, system=system.strip(), user=Template(user.strip()))


def prompt_get(kind: str, version: str | None = None) -> Prompt:
    """The asked version, else the pinned one (CROSSBORDER_PROMPT_VERSIONS), else the newest."""
    version = version or conf.get("CROSSBORDER_PROMPT_VERSIONS").get(kind)
    if version is None:
        available = versions(kind)
        if not available:
            raise LookupError(f"No prompts for {kind}.")
        version = available[-1]
    return _load(kind, version, _folder(kind))
