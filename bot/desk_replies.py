"""The desk's messages to families: reply templates in the family's language, free replies in German."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from bot.adapters.base import Inbound
from bot.core import texts as T
from bot.core.buttons import ReplyTo, encode
from bot.core.cards import LANGUAGE_NAMES_DE
from bot.core.events import Button, Reply
from bot.core.hours import HoursData
from bot.core.i18n import I18n
from bot.core.staffcmd import StaffAction
from bot.core.templates import Template, TemplateError, parse_args, render
from bot.figures import Tally, count_waits
from bot.offers import offered
from bot.staff_texts import EXAMPLES
from storage.kinds import FamilyDelivery, OutboxKind, OutboxRow
from storage.models import CallbackRequest, StaffMember, User

if TYPE_CHECKING:
    from bot.desk import DeskConfig

MAX_REPLY = 2000
THREAD = "thread"  # in a payload: the thread (its root message) a message goes into, where the platform has threads


@dataclass
class DeskOut:
    rows: list[OutboxRow] = field(default_factory=list)
    tally: Tally = field(default_factory=Tally)  # the anonymous figures this action counts (bot/figures.py)

    def add(self, destination: str, text: str) -> None:
        self.rows.append(OutboxRow(destination, Reply(text).to_payload()))

    def into_thread(self, chat: str, thread: str) -> None:
        """Answers to a command typed in a thread (a Matrix card's) go into that thread, not the room's timeline."""
        self.rows = [
            replace(row, payload={**row.payload, THREAD: thread})
            if row.destination == chat and row.kind == OutboxKind.MESSAGE and "edit_ref" not in row.payload
            else row
            for row in self.rows
        ]


class FamilyReplies:
    """Part of the staff desk (bot.desk.StaffDesk): the actions that write to a family."""

    templates: dict[str, Template]
    i18n: I18n
    hours: HoursData
    config: DeskConfig

    if TYPE_CHECKING:

        def _own(
            self, tx: Session, member: StaffMember, a: StaffAction, inbound: Inbound, out: DeskOut
        ) -> CallbackRequest | None: ...

        def _changed(
            self, tx: Session, request: CallbackRequest, actor: str, action: str, now: datetime, out: DeskOut
        ) -> None: ...

    def _do_templates(
        self, tx: Session, member: StaffMember, a: StaffAction, inbound: Inbound, now: datetime, out: DeskOut
    ) -> None:
        ref = a.reference or "R-…"
        lines = [f"Antwortvorlagen{' für ' + ref if a.reference else ''} (die Familie bekommt sie in ihrer Sprache):"]
        for t in self.templates.values():
            params = " ".join(f"{p}={EXAMPLES[p]}" for p in t.params)
            lines.append(f"• {t.title}: /vorlage {ref} {t.id} {params}".rstrip())
        out.add(member.private_chat or inbound.chat, "\n".join(lines))

    def _do_template(
        self, tx: Session, member: StaffMember, a: StaffAction, inbound: Inbound, now: datetime, out: DeskOut
    ) -> None:
        request = self._own(tx, member, a, inbound, out)
        if request is None:
            return
        tid, _, args = a.rest.partition(" ")
        template = self.templates.get(tid)
        if template is None:
            out.add(inbound.chat, f"Vorlage „{tid}“ gibt es nicht. Liste: /vorlagen {request.reference}")
            return
        try:
            text = render(
                template, request.language, parse_args(args), self.i18n, now.astimezone(self.hours.timezone).date()
            )
        except TemplateError as exc:
            out.add(inbound.chat, f"Nicht gesendet: {exc}")
            return
        header = self.i18n.t(request.language, T.TEAM_MESSAGE, reference=request.reference)
        self._to_family(tx, request, f"{header}\n\n{text}", member, f"template:{template.id}", now, out)
        language = LANGUAGE_NAMES_DE.get(request.language, request.language)
        out.add(inbound.chat, f"Vorlage „{template.title}“ an {request.reference} gesendet ({language}).")

    def _do_reply(
        self, tx: Session, member: StaffMember, a: StaffAction, inbound: Inbound, now: datetime, out: DeskOut
    ) -> None:
        request = self._own(tx, member, a, inbound, out)
        if request is None:
            return
        text = T.clean_text(a.rest)
        if not text or len(text) > MAX_REPLY:
            out.add(inbound.chat, f"Nicht gesendet: die Antwort muss 1 bis {MAX_REPLY} Zeichen lang sein.")
            return
        lang = request.language
        body = f"{self.i18n.t(lang, T.TEAM_MESSAGE, reference=request.reference)}\n\n{text}"
        if lang not in ("de", "de_easy"):
            body += "\n\n" + self.i18n.t(lang, T.TEAM_GERMAN_NOTE)
        self._to_family(tx, request, body, member, "reply", now, out)
        out.add(inbound.chat, f"Antwort an {request.reference} gesendet.")

    def _to_family(
        self,
        tx: Session,
        request: CallbackRequest,
        text: str,
        member: StaffMember,
        action: str,
        now: datetime,
        out: DeskOut,
    ) -> None:
        user = tx.get(User, request.user_id) if request.user_id else None
        if user is None:
            out.add(
                self.config.staff_channel,
                f"{request.reference}: Die Familie hat ihre Daten gelöscht; keine Zustellung.",
            )
            return
        # The family can answer this person (and only about this request) with the button under the message.
        answer = Button(self.i18n.t(request.language, T.REPLY_BUTTON), encode(ReplyTo(request.reference)))
        reply = Reply(text, ((answer,),), rtl=self.i18n.is_rtl(request.language))
        out.rows.append(OutboxRow(user.chat or user.key, reply.to_payload(), OutboxKind.FAMILY, user.id, request.id))
        if user.key.split(":", 1)[0] in self.config.buttonless:  # "1" now answers this message
            offered(tx, user.id, reply, {answer.label: T.REPLY_BUTTON})
        if request.delivery is None:  # the team's first message to the family about this request
            count_waits(out.tally, tx, self.hours, request, now, claim=False)
        request.delivery, request.delivery_at = FamilyDelivery.PENDING, now
        self._changed(tx, request, member.key, action, now, out)
