"""Reading the anonymous counters of a quarter, and the statistics the report computes from them."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import DailyCount

Counts = dict[str, dict[str, int]]  # metric -> key -> count in the period
SMALL = 5  # counts below this are shown as "< 5", so that no family can be singled out
_QUARTER = re.compile(r"(\d{4})-?Q([1-4])", re.IGNORECASE)


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    @staticmethod
    def parse(text: str) -> Quarter:
        """2026Q4 (also 2026-Q4, 2026q4); ValueError otherwise."""
        match = _QUARTER.fullmatch(text.strip())
        if match is None:
            raise ValueError(f"not a quarter: {text!r} (e.g. 2026Q4)")
        return Quarter(int(match[1]), int(match[2]))

    @property
    def first(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def last(self) -> date:
        end_month = 3 * self.number
        following = date(self.year + 1, 1, 1) if end_month == 12 else date(self.year, end_month + 1, 1)
        return date.fromordinal(following.toordinal() - 1)

    @property
    def label(self) -> str:
        return f"{self.number}. Quartal {self.year}"

    @property
    def short(self) -> str:
        return f"Q{self.number}/{self.year}"

    def a_year_before(self) -> Quarter:
        return Quarter(self.year - 1, self.number)


def load_counts(tx: Session, quarter: Quarter) -> Counts:
    """Every counter summed over the quarter's days (one grouped query)."""
    stmt = (
        select(DailyCount.metric, DailyCount.key, func.sum(DailyCount.count))
        .where(DailyCount.day >= quarter.first, DailyCount.day <= quarter.last)
        .group_by(DailyCount.metric, DailyCount.key)
    )
    counts: Counts = {}
    for metric, key, total in tx.execute(stmt):
        if total:
            counts.setdefault(metric, {})[key] = int(total)
    return counts


def quantile(histogram: dict[int, int], q: float) -> int | None:
    """The nearest-rank q-quantile of values given as value -> how often; None without values."""
    total = sum(n for n in histogram.values() if n > 0)
    if total == 0:
        return None
    rank = max(1, math.ceil(q * total))
    seen = 0
    for value in sorted(histogram):
        seen += max(0, histogram[value])
        if seen >= rank:
            return value
    return max(histogram)


def histogram(counts: Counts, metric: str) -> dict[int, int]:
    """A duration counter (key: minutes) as minutes -> count."""
    return {int(k): n for k, n in counts.get(metric, {}).items() if k.isdigit() and n > 0}


def marginal(counts: Counts, metric: str, index: int) -> dict[str, int]:
    """The counts by one part of a composite key (topic|language|…)."""
    found: dict[str, int] = {}
    for key, n in counts.get(metric, {}).items():
        parts = key.split("|")
        part = parts[index] if index < len(parts) else "-"
        found[part] = found.get(part, 0) + n
    return found


def shown(n: int | None) -> str:
    """A count as the report shows it: under 5 (but not 0) as "< 5"."""
    if n is None:
        return "–"
    if 0 < n < SMALL:
        return "< 5"
    return f"{n:,}".replace(",", ".")


def duration_text(minutes: int | None) -> str:
    """45 Min., 3 Std. 20 Min., 2 Tage 4 Std."""
    if minutes is None:
        return "–"
    if minutes < 60:
        return f"{minutes} Min."
    if minutes < 24 * 60:
        hours, rest = divmod(minutes, 60)
        return f"{hours} Std. {rest} Min." if rest else f"{hours} Std."
    days, rest = divmod(minutes, 24 * 60)
    day_word = "Tag" if days == 1 else "Tage"
    return f"{days} {day_word} {rest // 60} Std." if rest // 60 else f"{days} {day_word}"
