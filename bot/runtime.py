"""Handles one inbound event in one transaction: dedupe, engine step, state, request, consent and outbox rows."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import privacy, subscriptions
from bot.adapters.base import Inbound
from bot.core.buttons import Go, Nav, encode
from bot.core.choices import fold
from bot.core.dialogs import Content
from bot.core.emergency import Matcher
from bot.core.engine import Context, again, step
from bot.core.events import (
    Button,
    ChatKey,
    Command,
    CreateRequest,
    DataRequest,
    Effect,
    EmergencyShown,
    EndChat,
    HandoffDone,
    Pressed,
    RecordConsent,
    Refused,
    RelayToStaff,
    Reply,
    Subscribe,
    Text,
    Unsubscribe,
    UserKey,
)
from bot.core.events import Session as DialogSession
from bot.core.hours import HoursData
from bot.core.i18n import I18n
from bot.core.safety import is_emergency
from bot.core.texts import (
    BUTTON_INVALID,
    DELETED,
    EMERGENCY_BUTTON,
    SLOW_DOWN,
    SLOW_DOWN_TYPED,
    SORRY,
)
from bot.core.turn import SOS_BUTTON
from bot.family_rate import FamilyRate
from bot.figures import Tally, count_request, count_step, key, office_day
from bot.mydata import my_data
from bot.offers import offered
from bot.privacy import CardRow
from bot.refusals import audit_refusal, whose
from bot.relay import Relay
from bot.staff_rows import card_row
from storage import repo
from storage.db import Database, erase_copies
from storage.kinds import Figure, OutboxKind, OutboxRow, RequestStatus
from storage.models import CallbackRequest, User

log = logging.getLogger(__name__)
PERSONAL_SLOTS = ("phone", "name", "note")


@dataclass
class RuntimeConfig:
    staff_channel: str
    params: dict[str, str]
    buttonless: frozenset[str] = frozenset()  # transports that show no buttons (bot.adapters.base.ShowsButtons)
    outcomes: Mapping[str, str] = field(default_factory=dict)  # outcome id -> German title (dialogs/outcomes.yaml)


@dataclass
class _Writes:
    """What one inbound event writes besides the state: outbox rows, and whether the family erased itself."""

    outbox: list[OutboxRow] = field(default_factory=list)
    erased: bool = False
    notice: str | None = None  # the short answer to a refused button press
    tally: Tally = field(default_factory=Tally)  # the anonymous figures this event counts (bot/figures.py)


class Runtime:
    """The parent-facing core loop. One call of handle() is one transaction."""

    def __init__(
        self,
        db: Database,
        content: Content,
        i18n: I18n,
        hours: HoursData,
        config: RuntimeConfig,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        card_row: CardRow | None = None,
        emergency: Matcher | None = None,
        rate: FamilyRate | None = None,
        private_link: Callable[[str], str | None] | None = None,
        count_figures: bool = True,
        guess_language: Callable[[str], str | None] | None = None,
    ) -> None:
        self.count_figures = count_figures  # off only to measure what counting costs (bench/engine.py)
        self.private_link = private_link or (lambda start: None)
        self.guess_language = guess_language
        self.emergency = emergency or Matcher([])
        self.rate = rate
        self.card_row: CardRow = card_row or self._new_card_row
        self.db = db
        self.content = content
        self.i18n = i18n
        self.hours = hours
        self.config = config
        self.clock = clock
        # Typed on a platform without buttons, "🆘 Notfall" is the button: never held back by the rate limit.
        sos = [i18n.t(lang, EMERGENCY_BUTTON) for lang in i18n.enabled] + [EMERGENCY_BUTTON, SOS_BUTTON]
        self.sos_words = frozenset(fold(label) for label in sos) - {""}

    def _new_card_row(self, tx: Session, request: CallbackRequest, now: datetime) -> OutboxRow:
        return card_row(self.config.staff_channel, request, self.hours, now)

    def context(self, user: str = "") -> Context:
        """What the engine reads for an event of this user (whose transport says whether it shows buttons)."""
        return Context(
            self.content, self.i18n, self.hours, self.clock(), self.config.params, self.emergency,
            guess_language=self.guess_language, buttons=self.shows_buttons(user), outcomes=self.config.outcomes,
        )  # fmt: skip

    def shows_buttons(self, chat: str) -> bool:
        return chat.split(":", 1)[0] not in self.config.buttonless

    async def handle(self, inbound: Inbound) -> str | None:
        """Handle an inbound event exactly once; return the short answer to a refused button press, if any."""
        ctx = self.context(inbound.user)
        if self.rate is not None:
            admitted, notify = self.rate.admit(inbound.user)
            # Recognition runs here only for a family over its rate: the engine recognises every line anyway.
            # Ending the chat (erasing everything) is never held back either: a right is not rate-limited.
            if not admitted and not self._is_emergency(inbound.event, ctx) and not isinstance(inbound.event, EndChat):
                await self._slow_down(inbound, notify)
                return None
        return await self.db.run(lambda tx: self._handle(tx, inbound, ctx))

    async def refuse(self, inbound: Inbound, kind: str) -> str | None:
        """A family's button pressed where it does not belong (a group): recorded once, answered briefly in the
        family's chosen language (else the one its app names)."""
        hint = inbound.language_hint if inbound.language_hint in self.i18n.enabled else "de"

        def write(tx: Session) -> str | None:
            if not repo.mark_processed(tx, inbound.inbound_id):
                return None
            audit_refusal(kind)
            user = repo.get_user(tx, inbound.user)
            lang = user.language if user is not None and user.language in self.i18n.enabled else hint
            return self.i18n.t(lang or "de", BUTTON_INVALID)

        return await self.db.run(write)

    def _is_emergency(self, event: object, ctx: Context) -> bool:
        """The emergency screen is never rate-limited: the button (pressed or typed), /emergency, a recognised line."""
        if isinstance(event, Pressed | Command):
            return is_emergency(event)
        if not isinstance(event, Text):
            return False
        return fold(event.text) in self.sos_words or bool(ctx.emergency.detect(event.text, None))

    async def _slow_down(self, inbound: Inbound, notify: bool) -> None:
        """Over the family's rate: the event is recorded as handled; the first one of a run gets the notice."""

        def write(tx: Session) -> None:
            if not repo.mark_processed(tx, inbound.inbound_id) or not notify:
                return
            user = repo.get_user(tx, inbound.user)
            lang = user.language if user is not None and user.language in self.i18n.enabled else None
            lang = lang or (inbound.language_hint if inbound.language_hint in self.i18n.enabled else "de")
            sos = Button(self.i18n.t(lang, EMERGENCY_BUTTON), encode(Go(Nav.SOS)))
            said = SLOW_DOWN if self.shows_buttons(inbound.chat) else SLOW_DOWN_TYPED
            reply = Reply(self.i18n.t(lang, said), ((sos,),), self.i18n.is_rtl(lang))
            repo.add_outbox_rows(tx, [OutboxRow(inbound.chat, reply.to_payload())])
            if user is not None:
                offered(tx, user.id, reply, {sos.label: EMERGENCY_BUTTON})

        log.info("family over its message rate: inbound %s set aside", inbound.inbound_id)
        await self.db.run(write)

    async def notice(self, inbound: Inbound, msgid: str) -> None:
        """Answer once, in the sender's (hinted) language, without touching any dialog: e.g. a family in a group."""
        lang = inbound.language_hint if inbound.language_hint in self.i18n.enabled else "de"
        text = self.i18n.t(lang or "de", msgid)

        def write(tx: Session) -> None:
            if repo.mark_processed(tx, inbound.inbound_id):
                repo.add_outbox_rows(tx, [OutboxRow(inbound.chat, Reply(text).to_payload())])

        await self.db.run(write)

    async def set_reachable(self, inbound: Inbound, reachable: bool) -> None:
        """The family blocked or unblocked the bot (a platform event, not a message)."""

        def write(tx: Session) -> None:
            if repo.mark_processed(tx, inbound.inbound_id):
                user = repo.get_user(tx, inbound.user)
                if user is not None:
                    user.unreachable = not reachable

        await self.db.run(write)

    async def set_aside(self, inbound: Inbound) -> None:
        """An event that could not be handled: mark it done and, in a private chat, say sorry and how to go on."""
        lang = inbound.language_hint if inbound.language_hint in self.i18n.enabled else "de"

        def write(tx: Session) -> None:
            if repo.mark_processed(tx, inbound.inbound_id) and inbound.private:
                text = self.i18n.t(lang or "de", SORRY)
                repo.add_outbox_rows(tx, [OutboxRow(inbound.chat, Reply(text).to_payload())])

        await self.db.run(write)

    async def show_again(self, user: UserKey, chat: ChatKey) -> None:
        """Queue the family's newest list of choices again, from its stored session (for an adapter after a restart,
        so that it never has to remember a keyboard). A family without a stored conversation gets nothing."""
        ctx = self.context(user)

        def write(tx: Session) -> None:
            # Locked like the family's own events lock it; not touched: a list shown again is not the family active.
            tx.execute(select(User.id).where(User.key == user).with_for_update())
            found = repo.get_user(tx, user)
            state = repo.load_state(tx, found.id) if found is not None else None
            if found is None or state is None:
                return
            session, effects = again(DialogSession.from_json(state), ctx)
            rows = [OutboxRow(chat, e.to_payload(), user_id=found.id) for e in effects if isinstance(e, Reply)]
            repo.add_outbox_rows(tx, rows)
            repo.save_state(tx, found.id, session.to_json(), self.content.version)

        await self.db.run(write)

    async def skip(self, inbound: Inbound) -> None:
        """Record an inbound that needs no answer, so it is never handled again."""
        await self.db.run(lambda tx: repo.mark_processed(tx, inbound.inbound_id))

    def _handle(self, tx: Session, inbound: Inbound, ctx: Context) -> str | None:
        begun = repo.begin_event(tx, inbound.inbound_id, inbound.user, inbound.chat)
        if begun is None:
            log.info("duplicate inbound skipped: %s", inbound.inbound_id)
            return None
        user = begun.user
        user_id, language, district = user.id, user.language, user.district
        ctx = replace(ctx, open_request=user.open_request, reminders=user.reminders)
        before = DialogSession.from_json(begun.state)
        session, effects = step(before, inbound.event, ctx)
        writes = _Writes()
        while effects:
            session, effects = self._apply(tx, user_id, inbound, session, effects, ctx, writes)
        counts = []
        if self.count_figures:
            if not writes.erased:
                count_step(writes.tally, before.at, session.at, session.lang)
            counts = writes.tally.rows(office_day(ctx.now, self.hours.timezone))
        if any(before.slots.get(key) and not session.slots.get(key) for key in PERSONAL_SLOTS):
            erase_copies(tx)  # answers declined or dropped (or now kept by a request) leave no copy in the files
        # The family erased itself: no state, no profile to write.
        changed = not writes.erased and (session.lang, session.district) != (language, district)
        state = None if writes.erased else session.to_json()
        profile = (session.lang, session.district) if changed else None
        repo.end_event(tx, user_id, writes.outbox, counts, state, self.content.version, profile)
        return None if writes.erased else writes.notice

    def _apply(
        self,
        tx: Session,
        user_id: int,
        inbound: Inbound,
        session: DialogSession,
        effects: list[Effect],
        ctx: Context,
        writes: _Writes,
    ) -> tuple[DialogSession, list[Effect]]:
        """Write each effect; a created request feeds HandoffDone back into the engine."""
        for effect in effects:
            if isinstance(effect, Reply):
                writes.outbox.append(OutboxRow(inbound.chat, effect.to_payload(), user_id=user_id))
            elif isinstance(effect, EmergencyShown):
                writes.tally.add(Figure.EMERGENCY, key(effect.category, effect.language))
            elif isinstance(effect, RecordConsent):
                writes.tally.add(Figure.CONSENT, key(effect.purpose, effect.action))
                repo.record_consent(
                    tx,
                    user_id=user_id,
                    purpose=effect.purpose,
                    text_id=effect.text_id,
                    version=effect.version,
                    language=effect.language,
                    platform=inbound.user.split(":", 1)[0],
                    action=effect.action,
                )
            elif isinstance(effect, CreateRequest):
                request = self._create_request(tx, user_id, inbound, effect, ctx.now, writes.outbox)
                count_request(writes.tally, request)
                return step(session, HandoffDone(request.reference), ctx)
            elif isinstance(effect, Subscribe):
                subscriptions.subscribe(tx, user_id, effect.district, ctx.now)
            elif isinstance(effect, Unsubscribe):
                if subscriptions.unsubscribe(tx, user_id, inbound.user.split(":", 1)[0], session.lang or "de"):
                    writes.tally.add(Figure.REMINDER_STOPPED, key(session.lang))
                    writes.tally.add(Figure.CONSENT, key(subscriptions.PURPOSE, "withdrawn"))
            elif isinstance(effect, RelayToStaff):
                lang = session.lang or "de"
                relay = Relay(self.i18n, self.config.staff_channel, self.card_row, self.private_link, self.clock())
                answer = relay.send(tx, user_id, lang, effect, writes.outbox)
                said = Reply(answer, rtl=self.i18n.is_rtl(lang))
                writes.outbox.append(OutboxRow(inbound.chat, said.to_payload(), user_id=user_id))
            elif isinstance(effect, Refused):
                audit_refusal(whose(tx, user_id, effect.reference, effect.kind))
                writes.notice = effect.notice
            elif isinstance(effect, DataRequest):
                lang = session.lang or "de"
                if effect.action == "show":
                    text = my_data(tx, user_id, session, ctx)
                    shown = Reply(text, rtl=self.i18n.is_rtl(lang))  # the web page sets its direction from this
                    writes.outbox.append(OutboxRow(inbound.chat, shown.to_payload(), user_id=user_id))
                else:
                    writes.outbox = privacy.erase_user(tx, user_id, ctx.now, self.card_row, writes.tally)
                    goodbye = Reply(self.i18n.t(lang, DELETED), rtl=self.i18n.is_rtl(lang)).to_payload()
                    # kind "erase": the row itself is deleted once delivered, so not even the chat id stays.
                    writes.outbox.append(OutboxRow(inbound.chat, goodbye, OutboxKind.ERASE))
                    writes.erased = True
                    return session, []
        return session, []

    def _create_request(
        self,
        tx: Session,
        user_id: int,
        inbound: Inbound,
        effect: CreateRequest,
        now: datetime,
        outbox: list[OutboxRow],
    ) -> CallbackRequest:
        slots = effect.slots
        reference = repo.next_reference(tx, now.astimezone(self.hours.timezone).year)
        request = CallbackRequest(
            reference=reference,
            user_id=user_id,
            status=RequestStatus.OPEN,
            topic=slots.get("topic", "other"),
            language=effect.language,
            channel=inbound.user.split(":", 1)[0],
            district=slots.get("district"),
            time_window=slots.get("time_window"),
            contact_way=slots.get("contact_way", "chat"),
            urgent=slots.get("urgent") == "yes" or bool(slots.get("sos")),
            emergency=slots.get("sos") or None,
            phone=slots.get("phone"),
            name=slots.get("name"),
            note=slots.get("note"),
            created_at=now,
        )
        tx.add(request)
        tx.flush()
        repo.audit(tx, request, "family", "created")
        outbox.append(card_row(self.config.staff_channel, request, self.hours, now))
        log.info("callback request %s created", reference)
        return request
