"""Anonymous daily counters for the quarterly figures: counted in the transaction of the event they count.

A counter is (office day, Figure, key) -> count. The key names a topic, a language, a district, a dialog node, an
outcome or a duration in minutes, never a person, a chat or a time of day. Every transaction writes what it
counted with one statement (an upsert of all its keys), so counting costs one round trip on the hot path.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.hours import HoursData, office_hours_between
from storage import repo
from storage.handoff import CountRow
from storage.kinds import Figure
from storage.models import CallbackRequest, RequestEvent

MAX_MINUTES = 90 * 24 * 60  # longer waits are counted as 90 days
SEP = "|"


def office_day(moment: datetime, timezone: ZoneInfo) -> date:
    """The office's local date of a moment: the only time a counter keeps."""
    return moment.astimezone(timezone).date()


def minutes_bucket(span: timedelta) -> int:
    """A waiting time in minutes, coarser the longer it is (exact below an hour, 5 minutes below a day, then
    hours), so that a count of one does not pin down a moment."""
    minutes = max(0, int(span.total_seconds() // 60))
    if minutes < 60:
        return minutes
    if minutes < 24 * 60:
        return minutes - minutes % 5
    return min(minutes - minutes % 60, MAX_MINUTES)


def key(*parts: object) -> str:
    """A counter key from its parts; a missing part is "-"."""
    return SEP.join("-" if part is None or part == "" else str(part) for part in parts)


class Tally:
    """What one transaction counts, written at its end with a single upsert."""

    def __init__(self) -> None:
        self.counts: Counter[tuple[date | None, Figure, str]] = Counter()

    def add(self, figure: Figure, counter_key: str, n: int = 1, day: date | None = None) -> None:
        """Count n (negative: take back) on the transaction's day, or on an earlier day given."""
        self.counts[(day, figure, counter_key)] += n

    def write(self, tx: Session, day: date) -> None:
        """Add what was counted to the counters, all keys in one statement (repo.add_counts)."""
        repo.add_counts(tx, self.rows(day))

    def rows(self, day: date) -> list[CountRow]:
        """What was counted, as counter rows (day: the transaction's), and forget it. A key is cut to the column's
        length; keys that become one are added up, as one upsert may touch a counter only once."""
        merged: Counter[tuple[date, str, str]] = Counter()
        for (on, figure, k), n in self.counts.items():
            merged[(on or day, str(figure), k[:160])] += n
        self.counts.clear()
        return [CountRow(on, metric, k, n) for (on, metric, k), n in merged.items() if n]


def count_request(tally: Tally, request: CallbackRequest) -> None:
    tally.add(
        Figure.REQUEST,
        key(request.topic, request.language, request.district, request.channel, int(bool(request.urgent))),
    )


def count_step(tally: Tally, before: str | None, after: str | None, language: str | None) -> None:
    """The funnel: a session arrived at a node, and went on from the one it was at."""
    if after is None or after == before:
        return
    tally.add(Figure.REACHED, key(after, language))
    if before is not None:
        tally.add(Figure.ONWARD, key(before, language))


def count_waits(
    tally: Tally, tx: Session, hours: HoursData, request: CallbackRequest, now: datetime, *, claim: bool
) -> None:
    """Time from the request to its first claim (claim=True) or to the team's first message to the family."""
    if claim:
        earlier = tx.execute(
            select(RequestEvent.id).where(RequestEvent.request_id == request.id, RequestEvent.action == "claimed")
        ).first()
        if earlier is not None:
            return  # claimed before (then released): the wait was counted the first time
    calendar, office = (Figure.CLAIM_CAL, Figure.CLAIM_OFFICE) if claim else (Figure.REPLY_CAL, Figure.REPLY_OFFICE)
    tally.add(calendar, str(minutes_bucket(now - request.created_at)))
    tally.add(office, str(minutes_bucket(office_hours_between(hours, request.created_at, now))))
