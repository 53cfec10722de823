"""PostgreSQL's hot writes in one statement each, and outbox rows handed to the writing process's sender as they are
written (leased to it on PostgreSQL; on SQLite, one process, by the writer thread: see hand_sqlite).

Several processes share a PostgreSQL database, so the sender leases the rows it delivers. Leasing them in the very
transaction that writes them lets the process hand them to its sender straight after the commit, instead of the
sender selecting and leasing them again (two transactions, seven round trips, per parent action). With each row
comes the list of earlier rows of its destination that were still pending: the sender sends it at once only if
it holds all of those itself, so a chat's messages keep their order across processes.

Bulk rows (reminders) are not leased here: the sender paces them and takes a few at a time.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import text
from sqlalchemy.orm import Session

from storage.kinds import BULK_KINDS, OutboxRow, OutboxStatus
from storage.models import OutboxMessage

LEASE = "outbox_lease"  # a Session.info key: the Lease under which this transaction writes outbox rows
HANDED = "outbox_handed"  # a Session.info key: the rows it wrote leased, to give to the sender after the commit
HANDS_OVER = "outbox_hands_over"  # a Session.info key (SQLite): the rows this transaction writes go to the sender
# A Session.info key: counters to add at the end of the transaction (a group commit's), summed and in key order.
# Every family's step adds to the same few counter rows; locked in the order each unit meets them, two batches
# under way (two workers, two instances) locked them crosswise and PostgreSQL broke the deadlock after a second.
DEFERRED_COUNTS = "deferred_counts"


class Lease(NamedTuple):
    """Rows taken by one process (several share a PostgreSQL database) until a time; expired, others may take them."""

    owner: str
    until: datetime


@dataclass
class Handed:
    """An outbox row written leased to this process; earlier: its destination's rows pending before it."""

    row: OutboxMessage
    earlier: tuple[int, ...] = field(default=())
    leased: bool = True  # False: a bulk row, left to the sender's paced look at the outbox (SQLite: not leased,
    # but True all the same: this process delivers it at once)


_ROWS = (
    "ROWS FROM (json_to_recordset(CAST(:rows AS json)) AS (destination text, kind text, payload json, "
    "user_id integer, request_id integer, leased boolean)) WITH ORDINALITY AS r(destination, kind, payload, "
    "user_id, request_id, leased, n)"
)
# Ids are taken in the order of the list (ORDER BY n): a destination's rows go out in the order they were written.
_INSERT = (
    "INSERT INTO outbox (destination, kind, payload, status, attempts, next_attempt_at, created_at, user_id, "
    "request_id, lease_owner, lease_until) SELECT r.destination, r.kind, r.payload, "
    f"'{OutboxStatus.PENDING}', 0, :now, :now, r.user_id, r.request_id, "
    "CASE WHEN r.leased THEN :owner END, CASE WHEN r.leased THEN CAST(:until AS timestamptz) END "
    f"FROM {_ROWS} ORDER BY r.n RETURNING id, destination, lease_owner"
)
# The statement's snapshot does not see the rows it inserts: e lists only the rows pending before them.
_RESULT = (
    "SELECT o.id, o.destination, o.lease_owner IS NOT NULL, ARRAY(SELECT e.id FROM outbox e WHERE e.destination = "
    f"o.destination AND e.status = '{OutboxStatus.PENDING}' ORDER BY e.id) FROM o ORDER BY o.id"
)
_COUNTS = (
    "c AS (INSERT INTO daily_counts (day, metric, key, count) SELECT r.day, r.metric, r.key, r.count "
    "FROM json_to_recordset(CAST(:counts AS json)) AS r(day date, metric text, key text, count integer) "
    "ON CONFLICT (day, metric, key) DO UPDATE SET count = daily_counts.count + excluded.count RETURNING 1)"
)
_STATE = (
    "s AS (INSERT INTO dialog_states (user_id, state, flow_version, updated_at) "
    "SELECT :user_id, CAST(:state AS json), :version, :now WHERE :has_state "
    "ON CONFLICT (user_id) DO UPDATE SET state = excluded.state, flow_version = excluded.flow_version, "
    "updated_at = excluded.updated_at RETURNING 1)"
)
_PROFILE = (
    "p AS (UPDATE users SET language = :language, district = :district WHERE id = :user_id AND :set_profile "
    "RETURNING 1)"
)
OUTBOX_SQL = f"WITH o AS ({_INSERT}) {_RESULT}"
# The end of a parent's event: state, profile, anonymous counters and outbox rows, one round trip.
END_EVENT_SQL = f"WITH {_STATE}, {_PROFILE}, {_COUNTS}, o AS ({_INSERT}) {_RESULT}"
# Parsed once: text() scans its SQL for parameters each time it is built (a dozen objects per call, every event).
_OUTBOX = text(OUTBOX_SQL)
_ADD_COUNTS = text(f"WITH {_COUNTS} SELECT count(*) FROM c")
_END_EVENT = text(END_EVENT_SQL)


@dataclass(frozen=True)
class CountRow:
    """One anonymous daily counter to add to (bot/figures.py)."""

    day: date
    metric: str
    key: str
    count: int


def insert_outbox(session: Session, rows: Sequence[OutboxRow], now: datetime) -> None:
    """PostgreSQL: insert outbox rows in one statement; interactive ones leased to this process if it has a lease."""
    _hand(session, session.execute(_OUTBOX, _outbox_params(session, rows, now)), rows, now)


def end_event(
    session: Session,
    *,
    user_id: int,
    rows: Sequence[OutboxRow],
    counts: Sequence[CountRow],
    state: dict[str, Any] | None,
    version: str,
    profile: tuple[str | None, str | None] | None,
    now: datetime,
) -> None:
    """PostgreSQL: write what a parent's event changed in one statement (state None: not written; profile None:
    unchanged)."""
    params = _outbox_params(session, rows, now)
    deferred: list[CountRow] | None = session.info.get(DEFERRED_COUNTS)
    if deferred is not None:
        deferred.extend(counts)
        counts = ()
    params.update(
        user_id=user_id,
        state=None if state is None else json.dumps(state),
        has_state=state is not None,
        version=version,
        set_profile=profile is not None,
        language=profile[0] if profile else None,
        district=profile[1] if profile else None,
        counts=json.dumps(
            [{"day": c.day.isoformat(), "metric": c.metric, "key": c.key, "count": c.count} for c in counts]
        ),
    )
    _hand(session, session.execute(_END_EVENT, params), rows, now)


def add_deferred_counts(session: Session) -> None:
    """Add the counters deferred in this transaction: one statement, each key once, in key order (no deadlock)."""
    deferred: list[CountRow] = session.info.pop(DEFERRED_COUNTS, None) or []
    summed: dict[tuple[date, str, str], int] = {}
    for c in deferred:
        summed[(c.day, c.metric, c.key)] = summed.get((c.day, c.metric, c.key), 0) + c.count
    if summed:
        rows = [{"day": d.isoformat(), "metric": m, "key": k, "count": n} for (d, m, k), n in sorted(summed.items())]
        session.connection().execute(_ADD_COUNTS, {"counts": json.dumps(rows)})


def _outbox_params(session: Session, rows: Sequence[OutboxRow], now: datetime) -> dict[str, Any]:
    lease: Lease | None = session.info.get(LEASE)
    listed = [
        {
            "destination": r.destination,
            "kind": str(r.kind),
            "payload": r.payload,
            "user_id": r.user_id,
            "request_id": r.request_id,
            "leased": lease is not None and r.kind not in BULK_KINDS,
        }
        for r in rows
    ]
    return {
        "rows": json.dumps(listed),
        "now": now,
        "owner": lease.owner if lease else None,
        "until": lease.until if lease else None,
    }


def _hand(session: Session, result: Any, rows: Sequence[OutboxRow], now: datetime) -> None:
    """Keep the leased rows, with their ids, for the sender (Database gives them to it once committed)."""
    lease: Lease | None = session.info.get(LEASE)
    returned = sorted(result.fetchall())  # ids in the order of rows
    if lease is None:
        return
    handed: list[Handed] = session.info.setdefault(HANDED, [])
    for (row_id, destination, leased, earlier), written in zip(returned, rows, strict=True):
        assert destination == written.destination
        row = OutboxMessage(
            id=row_id, destination=destination, kind=str(written.kind), payload=written.payload, attempts=0,
            status=OutboxStatus.PENDING, next_attempt_at=now, created_at=now, user_id=written.user_id,
            request_id=written.request_id, lease_owner=lease.owner if leased else None,
            lease_until=lease.until if leased else None,
        )  # fmt: skip
        handed.append(Handed(row, tuple(earlier or ()), leased))


def hand_sqlite(
    session: Session,
    cursor: Any,
    insert_sql: str,
    values: Sequence[dict[str, Any]],
    rows: Sequence[OutboxRow],
    now: datetime,
) -> None:
    """SQLite, one process: insert outbox rows one by one on the transaction's cursor and keep each, with its id and
    the rows of its destination pending before this statement (as on PostgreSQL), for the sender.

    The writer thread gives them to the sender once the transaction commits, so the sender does not look them up
    again (a transaction and two ORM queries per parent action)."""
    handed: list[Handed] = session.info.setdefault(HANDED, [])
    earlier: dict[str, tuple[int, ...]] = {}
    for written, params in zip(rows, values, strict=True):
        destination = written.destination
        if destination not in earlier:
            cursor.execute(_PENDING_SQLITE, {"destination": destination})
            earlier[destination] = tuple(int(i) for (i,) in cursor.fetchall())
        cursor.execute(insert_sql, params)
        row = OutboxMessage(
            id=int(cursor.lastrowid), destination=destination, kind=str(written.kind), payload=written.payload,
            attempts=0, status=OutboxStatus.PENDING, next_attempt_at=now, created_at=now, user_id=written.user_id,
            request_id=written.request_id,
        )  # fmt: skip
        handed.append(Handed(row, earlier[destination], written.kind not in BULK_KINDS))


_PENDING_SQLITE = (  # along ix_outbox_destination_pending
    f"SELECT id FROM outbox WHERE destination = :destination AND status = '{OutboxStatus.PENDING}' ORDER BY id"
)
