"""The counters' building blocks: coarse waiting times, quantiles, quarters, and small counts never shown exactly."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.figures import MAX_MINUTES, minutes_bucket
from bot.report.data import Quarter, duration_text, quantile, shown


def test_waiting_times_are_coarser_the_longer_they_are() -> None:
    assert [minutes_bucket(timedelta(minutes=m)) for m in (0, 7, 59)] == [0, 7, 59]
    assert [minutes_bucket(timedelta(minutes=m)) for m in (61, 64, 65, 1439)] == [60, 60, 65, 1435]
    assert minutes_bucket(timedelta(hours=30, minutes=59)) == 30 * 60
    assert minutes_bucket(timedelta(days=400)) == MAX_MINUTES
    assert minutes_bucket(timedelta(seconds=-5)) == 0  # a clock step backwards is no negative wait


def test_quantiles_are_nearest_rank_over_counted_values() -> None:
    assert quantile({}, 0.5) is None
    assert quantile({10: 1}, 0.9) == 10
    hist = {5: 4, 20: 4, 600: 2}  # 5 5 5 5 20 20 20 20 600 600
    assert quantile(hist, 0.4) == 5 and quantile(hist, 0.5) == 20 and quantile(hist, 0.9) == 600


def test_quarters_are_read_as_the_coordinator_types_them() -> None:
    q = Quarter.parse("2026Q4")
    assert (q.first, q.last, q.label, q.short) == (date(2026, 10, 1), date(2026, 12, 31), "4. Quartal 2026", "Q4/2026")
    assert Quarter.parse("2024-q1").last == date(2024, 3, 31) and Quarter.parse("2025Q2").last == date(2025, 6, 30)
    assert q.a_year_before() == Quarter(2025, 4)
    for bad in ("2026Q5", "Q4", "2026 4", ""):
        with pytest.raises(ValueError):
            Quarter.parse(bad)


def test_counts_under_five_are_never_shown_exactly() -> None:
    assert [shown(n) for n in (0, 1, 4, 5, 1234)] == ["0", "< 5", "< 5", "5", "1.234"]
    assert [duration_text(m) for m in (0, 45, 60, 135, 1440, 1500, 3000)] == [
        "0 Min.", "45 Min.", "1 Std.", "2 Std. 15 Min.", "1 Tag", "1 Tag 1 Std.", "2 Tage 2 Std.",
    ]  # fmt: skip
