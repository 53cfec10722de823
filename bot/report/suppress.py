"""Secondary suppression, as statistical offices do it: a small count (1–4) is shown as "< 5", and wherever a sum, a
total or the same figure in another table would let a reader compute it by subtraction, further counts are withheld
("•") until no hidden count can be pinned down.

Pure: counts and the sums that tie them together go in, the mark of every hidden count comes out. The audit is the
attack a careful reader can make: every "< 5" is between 1 and 4, every "•" at least 5 (a smaller count would say
"< 5"), every shown count is exact; each sum then bounds each of its cells, round after round, until nothing
changes. A hidden count whose lowest and highest possible value meet is disclosed, and the repair withholds the
smallest shown non-zero count beside it (a part before a total), then audits again.

Some counts are shown only roughly (the funnel's, rounded to 5) and some are not shown at all but tie sums together
(what went on from a dialog step): they come with the range a reader knows them in ("approx"). A rough count of 1 to
4 must not be pinned down either; a count is only ever withheld as "•" if it is at least 5 and shown.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Container, Hashable, Iterable
from dataclasses import dataclass
from enum import StrEnum

SMALL = 5  # counts from 1 to SMALL - 1 are never shown exactly


class Mark(StrEnum):
    """What a hidden count shows instead of its value, in every output (HTML, CSV, chart labels)."""

    SMALL = "< 5"  # 1 to 4
    WITHHELD = "•"  # at least 5, withheld so that a small count cannot be computed
    NOT_BROKEN_DOWN = "–"  # a part of a total under 5: how many rows have "< 5" would give the parts away


@dataclass(frozen=True)
class Sum:
    """total = sum of parts (a figure shown in two places is a Sum of one part)."""

    total: Hashable
    parts: tuple[Hashable, ...]


Bounds = dict[Hashable, tuple[float, float]]
Approx = dict[Hashable, tuple[float, float]]  # counts shown only roughly, or not at all: the range a reader knows


def primary(values: dict[Hashable, int]) -> dict[Hashable, Mark]:
    """The counts that are small themselves."""
    return {ref: Mark.SMALL for ref, n in values.items() if 0 < n < SMALL}


def attack(values: dict[Hashable, int], hidden: dict[Hashable, Mark], sums: Iterable[Sum],
           approx: Approx | None = None) -> Bounds:  # fmt: skip
    """What a reader can know of every count from what is shown: (lowest, highest) possible value."""
    sums = list(sums)
    approx = approx or {}
    bounds: Bounds = {}
    for ref, n in values.items():
        mark = hidden.get(ref)
        if mark is None and ref in approx:
            bounds[ref] = approx[ref]
        else:
            bounds[ref] = (1, SMALL - 1) if mark is Mark.SMALL else (SMALL, math.inf) if mark else (n, n)
    for _ in range(100):  # bounds only narrow; a fixed point comes after a few rounds
        changed = False
        for s in sums:
            lo_parts = sum(bounds[p][0] for p in s.parts)
            hi_parts = sum(bounds[p][1] for p in s.parts)
            lo_total, hi_total = bounds[s.total]
            changed |= _narrow(bounds, s.total, lo_parts, hi_parts)
            for p in s.parts:
                lo_p, hi_p = bounds[p]
                others_lo, others_hi = lo_parts - lo_p, hi_parts - hi_p
                lo = lo_total - others_hi if others_hi != math.inf else -math.inf
                hi = hi_total - others_lo
                changed |= _narrow(bounds, p, lo, hi)
        if not changed:
            break
    return bounds


def _narrow(bounds: Bounds, ref: Hashable, lo: float, hi: float) -> bool:
    old_lo, old_hi = bounds[ref]
    new = (max(old_lo, lo), min(old_hi, hi))
    if new != (old_lo, old_hi):
        bounds[ref] = new
        return True
    return False


def disclosed(bounds: Bounds, hidden: dict[Hashable, Mark], values: dict[Hashable, int] | None = None,
              approx: Approx | None = None) -> list[Hashable]:  # fmt: skip
    """The hidden counts a reader can pin down to one value, and the rough ones of 1 to 4."""
    found = [ref for ref in hidden if bounds[ref][0] >= bounds[ref][1]]
    rough = [ref for ref in approx or {} if ref not in hidden and values and 0 < values[ref] < SMALL]
    return found + [ref for ref in rough if bounds[ref][0] >= bounds[ref][1]]


def suppress(values: dict[Hashable, int], sums: list[Sum], approx: Approx | None = None,
             hidden: dict[Hashable, Mark] | None = None, unseen: Collection[Hashable] = ()) -> dict[
        Hashable, Mark]:  # fmt: skip
    """Every count to hide (primary and secondary) with its mark, beyond those already hidden; values must hold every
    count the sums name, also those no table shows (unseen: never withheld)."""
    approx = approx or {}
    hidden = {**primary({ref: n for ref, n in values.items() if ref not in approx}), **(hidden or {})}
    touching: dict[Hashable, list[Sum]] = {}
    for s in sums:
        for ref in (s.total, *s.parts):
            touching.setdefault(ref, []).append(s)
    order = {ref: i for i, ref in enumerate(values)}
    while True:
        bounds = attack(values, hidden, sums, approx)
        pinned = disclosed(bounds, hidden, values, approx)
        if not pinned:
            return hidden
        added = False
        for ref in sorted(pinned, key=order.__getitem__):
            # The line where it is the only hidden count first (a sum of one outcome group, say): hide beside it there.
            pinning = sorted(
                (s for s in touching.get(ref, []) if _pins(s, ref, bounds)),
                key=lambda s: sum(r in hidden for r in (s.total, *s.parts)),
            )
            blocked = hidden.keys() | set(unseen)
            choice = next((c for s in pinning if (c := _smallest([s], values, blocked, order)) is not None), None)
            choice = choice or _beside(ref, values, blocked, touching, order)
            if choice is not None and choice not in hidden:
                hidden[choice] = Mark.WITHHELD
                added = True
                break  # audit again: one more hidden count may already protect the others
        if not added:
            return hidden  # nothing left to withhold (a table of only small counts): the audit in the tests says so


def collapse(values: dict[Hashable, int], hidden: dict[Hashable, Mark], sums: list[Sum],
             approx: Approx | None = None) -> list[Sum]:  # fmt: skip
    """The last resort, for a total under 5 that is still given away (four rows of "< 5" under a total "< 5" are
    each 1): it is not broken down, its parts show "–". Returns the sums collapsed."""
    pinned = set(disclosed(attack(values, hidden, sums, approx), hidden, values, approx))
    collapsed = [
        s for s in sums
        if hidden.get(s.total) is Mark.SMALL and len(s.parts) > 1 and pinned & {s.total, *s.parts}
    ]  # fmt: skip
    for s in collapsed:
        for part in s.parts:
            if values[part] or part in hidden:
                hidden[part] = Mark.NOT_BROKEN_DOWN
    return collapsed


def _pins(s: Sum, ref: Hashable, bounds: Bounds) -> bool:
    """Whether this sum alone, with what is known of its other cells, leaves ref one value."""
    if ref == s.total:
        return sum(bounds[p][0] for p in s.parts) >= sum(bounds[p][1] for p in s.parts)
    others = [p for p in s.parts if p != ref]
    return bounds[s.total][0] - sum(bounds[p][1] for p in others) >= bounds[s.total][1] - sum(
        bounds[p][0] for p in others
    )


def _smallest(sums: list[Sum], values: dict[Hashable, int], hidden: Container[Hashable],
              order: dict[Hashable, int]) -> Hashable | None:  # fmt: skip
    """The smallest shown non-zero count of these sums, a part before a total."""
    candidates = [
        (is_total, values[ref], order[ref], ref)
        for s in sums
        for ref, is_total in [(s.total, 1), *((p, 0) for p in s.parts)]
        if ref not in hidden and values[ref] >= SMALL  # a shown count under 5 is a rough one: "•" would lie
    ]
    return min(candidates, key=lambda c: c[:3])[3] if candidates else None


def _beside(ref: Hashable, values: dict[Hashable, int], hidden: Container[Hashable],
            touching: dict[Hashable, list[Sum]], order: dict[Hashable, int]) -> Hashable | None:  # fmt: skip
    """The shown non-zero count to withhold next to ref: the smallest part of a sum ref is in, else the smallest
    total; if every count beside it is hidden already, the search goes on through those hidden neighbours."""
    seen, frontier = {ref}, [ref]
    while frontier:
        candidates: list[tuple[int, int, int, Hashable]] = []
        following: list[Hashable] = []
        for current in frontier:
            for s in touching.get(current, []):
                for other, is_total in [(s.total, 1), *((p, 0) for p in s.parts)]:
                    if other in seen:
                        continue
                    seen.add(other)
                    if other in hidden:
                        following.append(other)
                    elif values[other] >= SMALL:
                        candidates.append((is_total, values[other], order[other], other))
        if candidates:
            return min(candidates, key=lambda c: c[:3])[3]
        frontier = following
    return None
