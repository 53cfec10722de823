"""A per-family inbound rate: a family that floods the bot gets one polite notice instead of a reply to each line.

The emergency screen is never limited. The count lives in this process's memory: a restart forgets it, and with
several instances each keeps its own, which only makes the limit gentler.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from time import monotonic


@dataclass
class _Bucket:
    tokens: float
    at: float
    noticed: bool = False


class FamilyRate:
    """A token bucket per family: `per_minute` events a minute, as a burst of up to `per_minute` at once."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = monotonic, max_families: int = 100_000) -> None:
        self.capacity = float(per_minute)
        self.refill = per_minute / 60.0
        self.clock = clock
        self.max_families = max_families
        self._buckets: dict[str, _Bucket] = {}

    def admit(self, family: str) -> tuple[bool, bool]:
        """(admitted, notify): notify is true once for each run of refused events."""
        now = self.clock()
        bucket = self._buckets.get(family)
        if bucket is None:
            if len(self._buckets) >= self.max_families:
                self._forget_full(now)
            bucket = self._buckets[family] = _Bucket(self.capacity, now)
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.at) * self.refill)
        bucket.at = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            bucket.noticed = False
            return True, False
        notify = not bucket.noticed
        bucket.noticed = True
        return False, notify

    def _forget_full(self, now: float) -> None:
        """Drop families whose bucket has refilled: they are indistinguishable from new ones."""
        full = [k for k, b in self._buckets.items() if b.tokens + (now - b.at) * self.refill >= self.capacity]
        for key in full or list(self._buckets)[: len(self._buckets) // 2]:
            del self._buckets[key]
