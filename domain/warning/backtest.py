"""Back-test of the risk list on a county's own history (issue 20 item 4): for each past term with a following
term, pupils scored as of that term against who had dropped out by the next. Pure."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Measure:
    """The list at one threshold: pupils scored, listed, dropped out by the next term, and both."""

    threshold: int
    pupils: int
    listed: int
    dropouts: int
    caught: int

    @property
    def recall(self) -> float | None:
        """Share of the next term's dropouts who were on the list (None without dropouts)."""
        return self.caught / self.dropouts if self.dropouts else None

    @property
    def precision(self) -> float | None:
        """Share of listed pupils who dropped out (None for an empty list)."""
        return self.caught / self.listed if self.listed else None

    @property
    def list_share(self) -> float | None:
        """The list's size as a share of the pupils scored."""
        return self.listed / self.pupils if self.pupils else None


def measure(scores: Mapping[int, int], dropped: Iterable[int], threshold: int) -> Measure:
    """The list at a threshold: `scores` per pupil (as of a term), `dropped` the pupils out by the next term."""
    gone = set(dropped) & set(scores)
    listed = {p for p, s in scores.items() if s >= threshold}
    return Measure(threshold, len(scores), len(listed), len(gone), len(listed & gone))


def pooled(measures: Iterable[Measure], threshold: int) -> Measure:
    """Several terms' measures at the same threshold added up."""
    ms = list(measures)
    return Measure(threshold, sum(m.pupils for m in ms), sum(m.listed for m in ms), sum(m.dropouts for m in ms),
                   sum(m.caught for m in ms))


def curve(terms: Iterable[tuple[Mapping[int, int], Iterable[int]]], thresholds: Iterable[int]) -> list[Measure]:
    """Pooled measures over all terms, one per threshold (the curve of recall, precision and list size)."""
    pairs = [(s, set(d)) for s, d in terms]
    return [pooled((measure(s, d, t) for s, d in pairs), t) for t in thresholds]
