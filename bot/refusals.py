"""Refused button presses and staff actions: one audit line each, naming the kind of refusal and nothing else.

Kinds: undecodable (data no button of ours carries), old_step (a button of an earlier step or a closed request),
old_flow (a step the dialog content no longer has), not_member (a staff action from someone not in the staff
channel), not_theirs (a family's button naming another family's request), wrong_chat (a family's button pressed in a
group). Never who pressed, in which chat, what the data or the reference was, or what anyone typed.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from bot.adapters.base import Inbound
from bot.core import texts as T
from bot.core.i18n import I18n
from bot.staff_texts import REFUSED
from storage import repo

log = logging.getLogger(__name__)
KINDS = frozenset({"undecodable", "old_step", "old_flow", "not_member", "not_theirs", "wrong_chat"})


def audit_refusal(kind: str, action: str = "") -> None:
    """Log one refusal by kind (and, for a staff action, which of the fixed actions it was)."""
    kind = kind if kind in KINDS else "undecodable"
    log.warning("refused: %s%s", kind, f" (staff action {action})" if action else "")


def whose(tx: Session, user_id: int, reference: str | None, kind: str) -> str:
    """A button naming a request: old_step if the request is the presser's own (closed since), else not_theirs."""
    if reference is None:
        return kind
    request = repo.get_request(tx, reference)
    return "old_step" if request is not None and request.user_id == user_id else "not_theirs"


def not_member_text(tx: Session, inbound: Inbound, staff_channel: str, i18n: I18n) -> str:
    """What someone not in the staff channel is told: German there, else in the family's own language."""
    if inbound.chat == staff_channel:
        return REFUSED["not_member"]
    user = repo.get_user(tx, inbound.user)
    return i18n.t(user.language if user and user.language else "de", T.STAFF_ONLY)
