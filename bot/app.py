"""The composition root: builds storage, content, catalogs, the runtime and the sender from one Settings."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.adapters.base import (
    Adapter,
    ChecksMembership,
    Delivery,
    Inbound,
    LinksPrivateChat,
    Mentionable,
    OpensPrivateChat,
    ShowsButtons,
)
from bot.config import ROOT, ConfigError, Settings
from bot.core.check import check_graph, check_translations, source_messages
from bot.core.dialogs import load_content
from bot.core.emergency_file import load_matcher
from bot.core.events import ChatKey, ChatMoved, Command, Pressed, Reachability, Text, UserKey
from bot.core.hours import HoursError
from bot.core.hours_file import load_hours
from bot.core.i18n import load_i18n
from bot.core.langstatus import language_status, refusal
from bot.core.outcomes import OutcomeError, load_outcomes
from bot.core.reminders import ReminderError, load_rules
from bot.core.staffcmd import is_staff_event
from bot.core.templates import TemplateError, load_templates
from bot.core.texts import PRIVATE_ONLY
from bot.desk import DeskConfig, StaffDesk
from bot.digest import Digest
from bot.family_rate import FamilyRate
from bot.followup import FollowUp
from bot.langdetect import TypedLanguage
from bot.metrics import Metrics
from bot.outbox import OutboxSender
from bot.reminders import ReminderDispatcher
from bot.runtime import Runtime, RuntimeConfig
from bot.staff_access import MemberCheck
from bot.staff_delivery import StaffDelivery
from storage import repo
from storage.db import Database
from storage.models import ChatAlias, OutboxMessage

log = logging.getLogger(__name__)
CRASH_VARIABLE = "ELTERNLOTSE_TEST_CRASH_AFTER_COMMITS"
ATTEMPTS = 3


@dataclass
class App:
    settings: Settings
    db: Database
    runtime: Runtime
    desk: StaffDesk
    followup: FollowUp
    sender: OutboxSender
    adapters: dict[str, Adapter]
    metrics: Metrics
    reminders: ReminderDispatcher
    digest: Digest
    handled: int = 0

    @property
    def staff_channel(self) -> str:
        return self.desk.config.staff_channel

    async def route(self, inbound: Inbound) -> str | None:
        """Staff channel and staff commands go to the desk; a family's private chat to the dialog engine.

        Returns the short answer to a refused button press (bot/refusals.py), for the adapter to show."""
        event, notice = inbound.event, None
        if isinstance(event, ChatMoved):
            await self._migrated(inbound, event.new_chat)
        elif isinstance(event, Reachability):
            await self.runtime.set_reachable(inbound, event.reachable)
        elif inbound.chat == self.staff_channel or is_staff_event(event):
            notice = await self.desk.handle(inbound)
        elif not inbound.private:
            if isinstance(event, Pressed):
                notice = await self.runtime.refuse(inbound, "wrong_chat")  # a family's button in a group
            elif isinstance(event, Command) or (isinstance(event, Text) and self._mentions_bot(event.text)):
                await self.runtime.notice(inbound, PRIVATE_ONLY)
            else:
                await self.runtime.skip(inbound)  # families' chatter in other groups is not ours to answer
        elif not (isinstance(event, Command) and event.name == "start" and await self.desk.welcome(inbound)):
            notice = await self.runtime.handle(inbound)  # a parent (a team member's /start went to the desk instead)
        self.handled += 1
        self._maybe_crash()
        return notice

    async def handle(self, inbound: Inbound) -> str | None:
        """Handle one inbound event, then wake the sender (which delivers after the commit)."""
        self.metrics.inbound.labels(inbound.user.split(":", 1)[0]).inc()
        notice = await self.guarded(inbound)
        if not self.db.hands_over:
            self.sender.wake()  # (else the rows it wrote were handed to the sender as it committed)
        return notice

    async def handle_and_deliver(self, inbound: Inbound) -> str | None:
        """For the console: deliver the replies before reading the next line."""
        notice = await self.guarded(inbound)
        await self.sender.flush()
        return notice

    async def guarded(self, inbound: Inbound) -> str | None:
        """Route with retries; an event that keeps failing is set aside so it cannot block everyone else.

        Only the exception's type is logged: its message could carry what a family typed.
        """
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return await self.route(inbound)
            except Exception as exc:
                log.error("handling %s failed (%s), attempt %d", inbound.inbound_id, type(exc).__name__, attempt)
                await asyncio.sleep(0.2 * attempt)
        log.error("handling %s failed %d times: set aside", inbound.inbound_id, ATTEMPTS)
        await self.runtime.set_aside(inbound)
        return None

    def _mentions_bot(self, text: str) -> bool:
        return any(isinstance(a, Mentionable) and a.mentioned_in(text) for a in self.adapters.values())

    async def _migrated(self, inbound: Inbound, new: str) -> None:
        """A group became a supergroup: remember the new id and, if it was the staff channel, move there."""
        old = inbound.chat

        def write(tx: Session) -> None:
            if repo.mark_processed(tx, inbound.inbound_id):
                tx.merge(ChatAlias(old=old, new=new))

        await self.db.run(write)
        if old == self.staff_channel:
            self.desk.config.staff_channel = self.runtime.config.staff_channel = new
            log.warning("the staff group became a supergroup; staff channel is now its new id")

    async def move_staff_channel(self, new: str) -> None:
        """The staff channel has a new key (a Matrix alias resolved to its room id): follow it, now and after a
        restart (a chat alias, as for a Telegram group that became a supergroup)."""
        old = self.staff_channel
        if new == old:
            return
        await self.db.run(lambda tx: tx.merge(ChatAlias(old=old, new=new)))
        self.desk.config.staff_channel = self.runtime.config.staff_channel = new

    def _maybe_crash(self) -> None:
        # A test hook for crash recovery: die hard right after the Nth commit, before any delivery.
        limit = os.environ.get(CRASH_VARIABLE)
        if limit and self.handled >= int(limit):
            os.kill(os.getpid(), signal.SIGKILL)


@asynccontextmanager
async def open_app(settings: Settings, adapters: list[Adapter]) -> AsyncIterator[App]:
    """Load and validate everything, migrate the database, and yield the wired application."""
    content, problems = load_content(settings.dialogs_dir / "flows")
    problems += check_graph(content)
    messages = source_messages(ROOT)
    # Named first and on its own: a language that cannot show the emergency numbers, ask for consent or say who
    # reads the data must never reach a family.
    texts = [m.text for m in messages]
    lacking = refusal(language_status(texts, content, settings.locales_dir, lang) for lang in settings.language_list)
    if lacking:
        raise ConfigError(lacking)
    # A language is switched on only if `elternlotse check` passes for it: refuse to start otherwise.
    problems += check_translations(messages, settings.locales_dir, settings.language_list)
    if problems:
        raise ConfigError(f"the dialog content has {len(problems)} problem(s); run `elternlotse check`: {problems[0]}")
    try:
        hours = load_hours(settings.dialogs_dir / "hours.yaml")
        rules = load_rules(settings.dialogs_dir / "reminders.yaml")  # a broken file stops start-up, as in `check`
    except (HoursError, ReminderError) as exc:
        raise ConfigError(str(exc)) from None
    if hours.sample:
        log.warning("dialogs/hours.yaml holds SAMPLE consultation hours; replace them before going live")
    i18n = load_i18n(settings.locales_dir, settings.language_list)
    matcher, pattern_problems = load_matcher(settings.locales_dir, settings.language_list)
    if pattern_problems:
        raise ConfigError(f"emergency patterns have {len(pattern_problems)} problem(s): {pattern_problems[0]}")
    try:
        templates = load_templates(settings.dialogs_dir / "templates.yaml")
        outcomes = load_outcomes(settings.dialogs_dir / "outcomes.yaml")
    except (TemplateError, OutcomeError) as exc:
        raise ConfigError(str(exc)) from None
    db = Database(settings.database_url)
    sender: OutboxSender | None = None
    try:
        await db.migrate()
        params = {
            "office_emergency": settings.youth_office_emergency_phone,
            "office_phone": settings.office_phone,
            "retention_days": str(settings.retention_days),
        }
        by_name = {adapter.name: adapter for adapter in adapters}
        buttonless = buttonless_transports(adapters)
        staff_channel = await db.run(lambda tx: resolve_alias(tx, settings.staff_channel))
        desk_config = DeskConfig(
            staff_channel,
            frozenset(k.strip() for k in settings.staff_allowlist.split(",") if k.strip()),
            settings.escalate_after_office_hours,
            buttonless,
        )
        staff_transport = by_name.get(settings.staff_channel.split(":", 1)[0])
        desk = StaffDesk(
            db,
            hours,
            templates,
            i18n,
            desk_config,
            _member_check(by_name, settings.staff_channel),
            private_link=staff_transport.private_link if isinstance(staff_transport, LinksPrivateChat) else None,
            open_private=staff_transport.private_chat_of if isinstance(staff_transport, OpensPrivateChat) else None,
            outcomes=outcomes,
        )
        runtime = Runtime(
            db,
            content,
            i18n,
            hours,
            RuntimeConfig(staff_channel, params, buttonless, {o.id: o.title for o in outcomes}),
            card_row=desk.card_row,
            emergency=matcher,
            rate=FamilyRate(settings.family_messages_per_minute),
            private_link=desk.private_link,
            guess_language=TypedLanguage(settings.language_list),  # loaded once, here
        )
        followup = FollowUp(desk)
        metrics = Metrics()
        staff = StaffDelivery(desk)

        def on_delivery(tx: Session, row: OutboxMessage, status: str, refs: tuple[str, ...], now: datetime) -> None:
            followup.note_delivery(tx, row, status, refs, now)
            staff.note_delivery(tx, row, status, refs, now)

        reminders = ReminderDispatcher(
            db, hours, rules, i18n, buttonless=buttonless, on_dropped=metrics.reminders_missed
        )

        async def gate(row: OutboxMessage) -> Delivery | None:
            return await reminders.gate(row) or await staff.gate(row)

        lease = None if db.single_process else settings.outbox_lease_seconds
        sender = OutboxSender(db, by_name, on_delivery=on_delivery, metrics=metrics, gate=gate, lease_seconds=lease)
        # Rows written go to the sender as they commit, not fetched again (PostgreSQL: leased to this process).
        db.hand_over(sender.lease_for_writes if lease is not None else None, sender.take)
        digest = Digest(db, hours, lambda: desk.config.staff_channel)
        yield App(settings, db, runtime, desk, followup, sender, by_name, metrics, reminders, digest)
    finally:
        if sender is not None:
            await sender.close()  # what it still holds is due at once for the other instances, not after its lease
        await db.close()


def buttonless_transports(adapters: list[Adapter]) -> frozenset[str]:
    """The transports whose families answer by typing: asked once, when the app is assembled."""
    return frozenset(a.name for a in adapters if isinstance(a, ShowsButtons) and not a.shows_buttons())


def _member_check(adapters: dict[str, Adapter], staff_channel: str) -> MemberCheck:
    """Ask the staff channel's own transport who its current members are; without one, nobody is staff."""
    adapter = adapters.get(staff_channel.split(":", 1)[0])
    if isinstance(adapter, ChecksMembership):
        return adapter.is_member
    if adapter is not None:  # a staff channel where nobody can be told from a stranger: refuse to start
        raise ConfigError(f"ELTERNLOTSE_STAFF_CHANNEL: {adapter.name} cannot tell who is a member of the staff channel")

    async def nobody(channel: ChatKey, user: UserKey) -> bool:
        return False

    log.warning("the staff channel's transport is not running: staff actions are refused")
    return nobody


def resolve_alias(tx: Session, key: str) -> str:
    """Follow chat moves (group -> supergroup) to the chat's current key."""
    for _ in range(5):
        alias = tx.get(ChatAlias, key)
        if alias is None:
            return key
        key = alias.new
    return key
