"""Who may act as staff: current members of the staff channel (asked of the platform), optionally an allowlist."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.events import ChatKey, UserKey
from bot.core.staffcmd import StaffAction
from storage import repo
from storage.db import Database
from storage.models import StaffMember

if TYPE_CHECKING:
    from bot.desk import DeskConfig

log = logging.getLogger(__name__)
MemberCheck = Callable[[ChatKey, UserKey], Awaitable[bool]]


class StaffAccess:
    """Membership questions, asked before a staff action's transaction (they are network calls)."""

    def __init__(self, db: Database, config: DeskConfig, is_member: MemberCheck) -> None:
        self.db = db
        self.config = config
        self.is_member = is_member

    async def authorised(self, user: str) -> bool | None:
        """Whether user is a current member of the staff channel; None if the platform could not tell now."""
        if self.config.allowlist and user not in self.config.allowlist:
            return False
        try:
            return await self.is_member(ChatKey(self.config.staff_channel), UserKey(user))
        except Exception as exc:  # the platform did not answer: not the same as "not a member"
            log.warning("membership check failed: %s", type(exc).__name__)
            return None

    async def check_people(self, action: StaffAction) -> StaffAction:
        """Ask the platform about the other people an action involves, before its transaction.

        Reassigning goes only to a current member, named unambiguously; a request whose owner has left the
        team may be released or reassigned by any member, so nothing gets stuck.
        """
        if action.action not in ("reassign", "release") or action.reference is None:
            return action
        reference = action.reference

        def people(tx: Session) -> tuple[str | None, list[str]]:
            request = repo.get_request(tx, reference)
            wanted = action.rest.strip().lstrip("@").casefold()
            keys = [
                m.key
                for m in tx.execute(select(StaffMember)).scalars()
                if wanted and wanted in (m.display_name.casefold(), m.key.casefold(), _account(m.key))
            ]
            # A Matrix id names one account unambiguously: a current member may get the request even if they
            # never wrote in the staff room (asked of the homeserver below, like everyone).
            named = matrix_id(action.rest)
            if named is not None and not keys and self.config.staff_channel.startswith("matrix:"):
                keys = [named]
            return (request.claimed_by if request else None), keys

        owner, candidates = await self.db.run(people)
        owner_gone = owner is not None and await self.authorised(owner) is False
        target = ""
        if action.action == "reassign":
            if len(candidates) > 1:
                target = "!ambiguous"
            elif candidates and await self.authorised(candidates[0]):
                target = candidates[0]
        return StaffAction(action.action, reference, action.rest, owner_gone=owner_gone, target=target)


def _account(key: str) -> str:
    """The account part of a user key, as people type it: telegram:123 -> 123, matrix:@anna:x -> anna:x."""
    return key.split(":", 1)[-1].lstrip("@").casefold()


def matrix_id(text: str) -> str | None:
    """`@anna:stadt.de` as the user key matrix:@anna:stadt.de, or None if the text is not one Matrix id."""
    text = text.strip()
    if re.fullmatch(r"@[^\s:]+:[^\s]+", text) and len(text.encode()) <= 255:
        return f"matrix:{text}"
    return None
