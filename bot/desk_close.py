"""Part of the staff desk (bot.desk.StaffDesk): closing a request with its outcome, and opening it again.

Closing asks for the outcome (dialogs/outcomes.yaml): the card's buttons become the office's list, or staff type
`/erledigt R-… <outcome>`. The outcome is an id on the request, without anything about the family, and counted in
the anonymous figures in the same transaction (bot/figures.py); reopening takes that count back.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from bot.adapters.base import Inbound
from bot.core.buttons import CloseAs, Queue, QueueAction, encode
from bot.core.events import Pressed
from bot.core.hours import HoursData
from bot.core.outcomes import Outcome, match_outcome
from bot.core.staffcmd import StaffAction
from bot.desk_replies import DeskOut
from bot.figures import office_day
from bot.staff_rows import retract_rows
from bot.staff_texts import OUTCOME_ASK, OUTCOME_KEEP, outcome_list_text
from storage import repo
from storage.kinds import Figure, OutboxRow, RequestStatus
from storage.models import CallbackRequest, StaffMember


class Closing:
    """The lifecycle actions that end a request or open it again."""

    outcomes: list[Outcome]
    hours: HoursData

    if TYPE_CHECKING:

        def _own(
            self, tx: Session, member: StaffMember, a: StaffAction, inbound: Inbound, out: DeskOut
        ) -> CallbackRequest | None: ...

        def _changed(
            self, tx: Session, request: CallbackRequest, actor: str, action: str, now: datetime, out: DeskOut
        ) -> None: ...

        def card_row(
            self, tx: Session, request: CallbackRequest, now: datetime, note: str | None = None
        ) -> OutboxRow: ...

    def outcome_title(self, outcome: str) -> str:
        return next((o.title for o in self.outcomes if o.id == outcome), outcome)

    def _do_done(
        self, tx: Session, member: StaffMember, a: StaffAction, inbound: Inbound, now: datetime, out: DeskOut
    ) -> None:
        request = self._own(tx, member, a, inbound, out)
        if request is None:
            return
        chosen: Outcome | None = None
        if self.outcomes:
            found = match_outcome(self.outcomes, a.rest) if a.rest else []
            if isinstance(found, list):
                self._ask_outcome(tx, request, a, inbound, now, out, found)
                return
            chosen = found
        request.status, request.closed_at = RequestStatus.DONE, now
        if chosen is not None:
            request.outcome = chosen.id
            out.tally.add(Figure.OUTCOME, chosen.id)
        self._changed(tx, request, member.key, "done", now, out)
        out.rows += retract_rows(tx, request)

    def _ask_outcome(
        self,
        tx: Session,
        request: CallbackRequest,
        a: StaffAction,
        inbound: Inbound,
        now: datetime,
        out: DeskOut,
        candidates: list[Outcome],
    ) -> None:
        """The card offers the outcomes as buttons; typed, the list of what can be typed comes as an answer too."""
        row = self.card_row(tx, request, now, OUTCOME_ASK.format(reference=request.reference))
        buttons = [[[o.title, encode(CloseAs(request.reference, o.id))]] for o in self.outcomes]
        buttons.append([[OUTCOME_KEEP, encode(Queue(QueueAction.KEEP, request.reference))]])
        out.rows.append(replace(row, payload={**row.payload, "buttons": buttons}))
        if not isinstance(inbound.event, Pressed):  # typed: say what can be typed
            shown = candidates if a.rest and candidates else self.outcomes
            out.add(inbound.chat, outcome_list_text(request.reference, a.rest, [(o.id, o.title) for o in shown]))

    def _do_keep(
        self, tx: Session, member: StaffMember, a: StaffAction, inbound: Inbound, now: datetime, out: DeskOut
    ) -> None:
        """Not closed after all: the card shows its usual buttons again."""
        request = self._own(tx, member, a, inbound, out)
        if request is not None:
            out.rows.append(self.card_row(tx, request, now))

    def _do_reopen(
        self, tx: Session, member: StaffMember, a: StaffAction, inbound: Inbound, now: datetime, out: DeskOut
    ) -> None:
        assert a.reference
        request = repo.get_request(tx, a.reference)
        if request is None or request.status != RequestStatus.DONE or request.purged_at is not None:
            out.add(inbound.chat, f"{a.reference} kann nicht wieder geöffnet werden.")
            return
        if request.outcome is not None and request.closed_at is not None:
            # The outcome counted on the day of closing no longer holds; the next closing counts the new one.
            out.tally.add(Figure.OUTCOME, request.outcome, -1, day=office_day(request.closed_at, self.hours.timezone))
        request.status, request.closed_at, request.claimed_by, request.claimed_at = RequestStatus.OPEN, None, None, None
        request.outcome = None
        self._changed(tx, request, member.key, "reopened", now, out)
