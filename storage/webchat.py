"""The web chat's messages: stored for a family's browser, read back after an event id, gone with the family."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, String, column, func, select, values
from sqlalchemy.orm import Session

from storage.models import SyncCursor, User, WebMessage, utcnow
from storage.repo import run_hot

SECRET_NAME = "web:secret"  # the key the CSRF tokens are derived from, kept beside the transports' cursors
HISTORY_LIMIT = 500  # a page shows at most the newest this many messages of a conversation
NOTIFY_CHANNEL = "elternlotse_web"  # PostgreSQL: told the family's key at each commit of a message for it


@dataclass(frozen=True)
class Stored:
    """A message as the browser receives it: its event id and what to show."""

    id: int
    payload: dict[str, Any]


def store(session: Session, user_key: str, payload: dict[str, Any]) -> Stored | None:
    """Keep a message for the family with this key; None if there is no such family (it erased itself).

    The message carries the language the family chose ("lang", None before it chose one): the page's own words
    follow it."""
    if session.connection().dialect.name == "postgresql":
        # Several processes: the one holding the family's page hears of the message when it is committed
        # (bot.web_store.listen) and shows it at once. In the statement that reads the user: no round trip more.
        who = select(User.id, User.language, func.pg_notify(NOTIFY_CHANNEL, user_key)).where(User.key == user_key)
        row = session.execute(who).first()
    else:
        # Plain SQL on the transaction's cursor (storage/repo.py HOT_SQL): SQLAlchemy's statement machinery cost
        # more than the statements (bench/web.py, py-spy).
        row = run_hot(session, "web_user", {"key": user_key}).fetchone()
    if row is None:
        return None
    payload = {**payload, "lang": row[1]}
    values = {"user_id": int(row[0]), "payload": payload, "now": utcnow()}
    new_id = run_hot(session, "web_message", values).fetchone()[0]
    return Stored(int(new_id), payload)


def after(session: Session, user_key: str, last_id: int) -> list[Stored]:
    """The family's messages after an event id, oldest first (the newest HISTORY_LIMIT of them)."""
    stmt = (
        select(WebMessage.id, WebMessage.payload)
        .join(User, User.id == WebMessage.user_id)
        .where(User.key == user_key, WebMessage.id > last_id)
        .order_by(WebMessage.id.desc())
        .limit(HISTORY_LIMIT)
    )
    return [Stored(int(i), dict(p)) for i, p in reversed(session.execute(stmt).all())]


def after_many(session: Session, lasts: dict[str, int]) -> list[tuple[str, Stored]]:
    """For several families at once (key -> the event id its pages have shown): what came after, oldest first.

    Each family is compared with its own last id (a VALUES list joined on the key), so the answer holds only
    what is new, read through the (user_id, id) index, however far apart the families' ids are."""
    if not lasts:
        return []
    if session.connection().dialect.name == "sqlite":  # no column names for VALUES there; one process anyway
        found = [(key, stored) for key, last in lasts.items() for stored in after(session, key, last)]
        return sorted(found, key=lambda pair: pair[1].id)
    pages = values(column("key", String), column("last", Integer), name="pages").data(list(lasts.items()))
    stmt = (
        select(pages.c.key, WebMessage.id, WebMessage.payload)
        .select_from(pages)
        .join(User, User.key == pages.c.key)
        .join(WebMessage, (WebMessage.user_id == User.id) & (WebMessage.id > pages.c.last))
        .order_by(WebMessage.id)
        .limit(HISTORY_LIMIT * 10)
    )
    return [(str(k), Stored(int(i), dict(p))) for k, i, p in session.execute(stmt).all()]


def language(session: Session, user_key: str) -> tuple[bool, str | None]:
    """Whether a family with this key exists, and the language it chose."""
    row = session.execute(select(User.language).where(User.key == user_key)).first()
    return (row is not None, row[0] if row is not None else None)


def secret(session: Session) -> str:
    """The web chat's signing key: made once, then the same for every process and after every restart."""
    row = session.get(SyncCursor, SECRET_NAME)
    if row is None:
        row = SyncCursor(name=SECRET_NAME, value=secrets.token_urlsafe(32), updated_at=utcnow())
        session.add(row)
    return row.value
