"""Current copy vs proposal: per component, what moved and why (the proposal's notes)."""

from __future__ import annotations

from dataclasses import dataclass

from apps.catalog.content.quality.score import Component, Note, Quality


@dataclass(frozen=True)
class Difference:
    key: str
    label: str
    before: float
    after: float
    max: int
    before_notes: tuple[Note, ...]
    after_notes: tuple[Note, ...]

    @property
    def delta(self) -> int:
        return round(self.after) - round(self.before)

    @property
    def changed_notes(self) -> list[Note]:
        """The proposal's notes that the current copy does not have (what got better or worse)."""
        before = {str(n) for n in self.before_notes}
        return [n for n in self.after_notes if str(n) not in before]


@dataclass(frozen=True)
class Comparison:
    current: Quality
    proposed: Quality
    differences: tuple[Difference, ...]

    @property
    def delta(self) -> int:
        return self.proposed.total - self.current.total

    @property
    def lower(self) -> bool:
        """The proposal would make the listing worse: flagged, never auto-approved."""
        return self.proposed.total < self.current.total

    @property
    def worse(self) -> list[Difference]:
        return [d for d in self.differences if d.delta < 0]

    @property
    def better(self) -> list[Difference]:
        return [d for d in self.differences if d.delta > 0]


def _difference(before: Component, after: Component) -> Difference:
    return Difference(before.key, after.label, before.score, after.score, after.max,
                      before.notes, after.notes)  # fmt: skip


def quality_compare(current: Quality, proposed: Quality) -> Comparison:
    differences = tuple(_difference(current.component(c.key), c) for c in proposed.components)
    return Comparison(current, proposed, differences)
