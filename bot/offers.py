"""A family's newest list of choices, when a message with buttons reaches it outside a dialog step.

A team member's message ("✉ Antworten"), a reminder ("🔕 abbestellen") or the notice to slow down ("🆘") is the
newest list the family sees: where the platform has no buttons, typed numbers refer to it from then on. It is
written when the message is queued (reminders go out within seconds, at bulk priority).
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.choices import offer_of
from bot.core.events import Reply
from storage.models import DialogState, User


def offered(tx: Session, user_id: int, reply: Reply, german: Mapping[str, str]) -> None:
    """Store reply's buttons as the family's newest list (german: shown label -> German label), beside the step's
    own: typed numbers refer to it until the engine shows another list; the step's labels stay understood."""
    # The family's own events lock its user row first: so do we, so neither overwrites the other's state.
    tx.execute(select(User.id).where(User.id == user_id).with_for_update())
    state = tx.get(DialogState, user_id)
    if state is None or not reply.buttons:
        return  # nothing to number against yet: a first message starts at the language choice anyway
    # updated_at stays: a team message must not keep a conversation's unsent answers past their time.
    state.state = {**state.state, "aside": offer_of(reply.buttons, german).to_json()}
