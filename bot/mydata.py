"""/mydata: everything stored about a family, in their language (GDPR Art. 15, the right of access).

SHOWN and NOT_SHOWN account for every column of every table; tests/test_mydata.py fails when a model gains a
column or a table that is in neither, so a new personal field cannot be forgotten here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from babel.dates import format_skeleton, format_time, get_datetime_format
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core import texts as T
from bot.core.engine import Context
from bot.core.events import Session as DialogSession
from bot.core.hours import district_ids, district_name
from bot.core.i18n import LANGUAGES, isolate
from bot.core.render import consent_summary
from storage.models import CallbackRequest, ConsentRecord, ReminderSubscription, User

SHOWN: dict[str, frozenset[str]] = {
    "users": frozenset({"key", "chat", "language", "district", "created_at", "last_seen_at"}),
    "callback_requests": frozenset(
        "reference status topic language channel district time_window contact_way urgent emergency "
        "phone name note closed_at created_at outcome".split()
    ),
    "consent_records": frozenset({"purpose", "text_version", "language", "platform", "action", "at"}),
    "dialog_states": frozenset({"state"}),  # the answers of an unsent request and the current step
    "reminder_subscriptions": frozenset({"district", "created_at"}),
}
NOT_SHOWN: dict[str, str] = {
    "users.id": "our internal number",
    "users.unreachable": "a delivery flag, set only while the family has blocked the bot",
    "callback_requests.id": "our internal number; the reference is shown",
    "callback_requests.user_id": "the link to the family itself",
    "callback_requests.claimed_by": "the staff member, not the family; the status says that someone takes care",
    "callback_requests.claimed_at": "the team's workflow",
    "callback_requests.escalated_at": "the team's workflow",
    "callback_requests.delivery": "whether the team's last message reached the family's chat",
    "callback_requests.delivery_at": "whether the team's last message reached the family's chat",
    "callback_requests.card_ref": "where the card is in the staff channel",
    "callback_requests.purged_at": "empty while a request is linked to a family",
    "consent_records.id": "our internal number",
    "consent_records.user_id": "the link to the family itself",
    "consent_records.text_id": "the consent text's id; its purpose and version are shown",
    "dialog_states.user_id": "the link to the family itself",
    "dialog_states.flow_version": "which edition of the dialog files the conversation started in",
    "dialog_states.updated_at": "when the step was saved",
    # Tables with nothing about a family, or only short-lived copies of what is shown above.
    "outbox": "messages on their way: copies of what is shown; a delivered row keeps no text and goes after a day",
    "processed_inbound": "the platform's update ids, so each message is handled once; gone after 7 days",
    "request_events": "a request's history: when its status changed and which staff member acted",
    "staff_members": "the team, not families",
    "reminder_subscriptions.id": "our internal number",
    "reminder_subscriptions.user_id": "the link to the family itself",
    "reminders": "which reminders were queued, so that each goes out once; they are in the chat itself",
    "staff_digests": "the days the team got its morning overview; nothing about a family",
    "sync_cursors": "where the bot stands in a platform's stream of events (the Matrix sync token); no family in it",
    "web_messages": "the web chat's messages to the family, kept so that its page shows them again: they are in the "
    "chat itself; gone with the family, a day after the last answer unless a request is open, at the latest after "
    "the retention period",
    "details_copies": "where a staff member's private chat shows a request's details, so they can be removed again",
    "chat_aliases": "group chats that moved",
    "reference_counters": "the yearly counters behind references",
    "daily_counts": "anonymous daily counts for the quarterly figures: no id, no time of day, nothing about a family",
}


def my_data(tx: Session, user_id: int, session: DialogSession, ctx: Context) -> str:
    """Everything stored about a family, in their language; session is their dialog state as it will be saved."""
    user = tx.get(User, user_id)
    assert user is not None
    lang = session.lang or "de"
    i18n, rtl = ctx.i18n, ctx.i18n.is_rtl(session.lang or "de")

    def t(msgid: str, **params: object) -> str:
        return i18n.t(lang, msgid, **params)

    def value(text: str) -> str:  # left-to-right values stay readable inside right-to-left text
        return isolate(text) if rtl else text

    def when(moment: datetime) -> str:  # day and time joined as the locale joins them ("2. März 2026, 10:05")
        local, locale = moment.astimezone(ctx.hours.timezone), i18n.locale(lang)
        day, time = format_skeleton("yMMMd", local, locale=locale), format_time(local, "short", locale=locale)
        return str(get_datetime_format("medium", locale=locale)).replace("{1}", day).replace("{0}", time)

    lines = [t(T.MYDATA_HEADER)]
    lines.append(f"• {t(T.MYDATA_ACCOUNT)}: {value(_account(user.key))}")
    if user.chat and user.chat != user.key:
        lines.append(f"• {t(T.MYDATA_CHAT)}: {value(_account(user.chat))}")
    lines.append(f"• {t(T.MYDATA_LANGUAGE)}: {_language(user.language or lang)}")
    if user.district:
        lines.append(f"• {t(T.SUMMARY_LABELS['district'])}: {_district(ctx, t, user.district)}")
    lines.append(f"• {t(T.MYDATA_SEEN, start=when(user.created_at), end=when(user.last_seen_at))}")
    requests = tx.execute(
        select(CallbackRequest).where(CallbackRequest.user_id == user_id).order_by(CallbackRequest.id)
    ).scalars()
    found = False
    for r in requests:
        found = True
        status = t(T.FAMILY_STATUS.get(r.status, r.status))
        lines.append("• " + t(T.MYDATA_REQUEST, reference=r.reference, date=when(r.created_at), status=status))
        answers = {"topic": r.topic, "contact_way": r.contact_way, "phone": r.phone or "", "name": r.name or "",
                   "district": r.district or "", "time_window": r.time_window or "", "note": r.note or "",
                   "urgent": "yes" if r.urgent else "no", "sos": r.emergency or ""}  # fmt: skip
        lines += _answers(ctx, lang, t, answers)
        channel = r.channel.capitalize()
        lines.append(f"   {t(T.MYDATA_LANGUAGE)}: {_language(r.language)} · {t(T.MYDATA_CHANNEL)}: {channel}")
        if r.closed_at is not None:
            lines.append(f"   {t(T.MYDATA_CLOSED)}: {when(r.closed_at)}")
        if r.outcome:  # as the team chose it from dialogs/outcomes.yaml, in the family's language
            lines.append(f"   {t(T.MYDATA_OUTCOME)}: {t(ctx.outcomes.get(r.outcome, r.outcome))}")
    consents = tx.execute(
        select(ConsentRecord).where(ConsentRecord.user_id == user_id).order_by(ConsentRecord.id)
    ).scalars()
    for c in consents:
        found = True
        purpose = t(T.PURPOSES.get(c.purpose, c.purpose))
        action = t(T.CONSENT_ACTIONS.get(c.action, c.action))
        line = t(T.MYDATA_CONSENT, purpose=purpose, status=action, date=when(c.at), version=c.text_version)
        lines.append(f"• {line} · {_language(c.language)} · {c.platform.capitalize()}")
    subscription = tx.execute(
        select(ReminderSubscription).where(ReminderSubscription.user_id == user_id)
    ).scalar_one_or_none()
    if subscription is not None:
        found = True
        district = _district(ctx, t, subscription.district)
        lines.append("• " + t(T.MYDATA_REMINDERS, district=district, date=when(subscription.created_at)))
    unsent = _unsent(ctx, lang, t, session)
    if unsent:
        found = True
        lines += unsent
    if not found:
        lines.append(t(T.MYDATA_NOTHING))
    lines.append(t(T.MYDATA_FOOTER))
    return "\n".join(lines)


def _account(key: str) -> str:
    """telegram:12345 -> Telegram 12345: the platform and the id it gave the family."""
    platform, _, ident = key.partition(":")
    return f"{platform.capitalize()} {ident}" if ident else key


def _language(code: str) -> str:
    return LANGUAGES[code].native if code in LANGUAGES else code


def _district(ctx: Context, t: Callable[[str], str], district: str) -> str:
    if district in district_ids(ctx.hours):
        return district_name(ctx.hours, district)
    return t(T.DONT_KNOW_DISTRICT) if district == "unknown" else district


def _answers(ctx: Context, lang: str, t: Callable[..., str], answers: dict[str, str]) -> list[str]:
    """The answers as the family saw them before consenting, then what the summary does not name."""
    lines = [f"   {line.removeprefix('• ')}" for line in consent_summary(ctx, lang, t, answers).splitlines()]
    if answers.get("sos"):
        kind = T.EMERGENCY_KINDS.get(answers["sos"], answers["sos"])
        lines.append(f"   {t(T.MYDATA_EMERGENCY)}: {t(kind)}")
    for key, answer in answers.items():  # a slot a newer dialog file collects, not known here yet
        if answer and key not in T.SUMMARY_LABELS and key != "sos":
            lines.append(f"   {key}: {answer}")
    return lines


def _unsent(ctx: Context, lang: str, t: Callable[..., str], session: DialogSession) -> list[str]:
    """What the dialog state holds: the answers of a request not sent yet, and the step the family is at."""
    lines: list[str] = []
    if session.slots:
        lines.append("• " + t(T.MYDATA_UNSENT))
        lines += _answers(ctx, lang, t, dict(session.slots))
    node = ctx.content.node(session.at)
    step = None
    if session.writing_to:
        step = t(T.MYDATA_WRITING, reference=session.writing_to)
    elif node is not None and node.type == "consent":
        step = t(T.MYDATA_CONSENT_STEP)
    elif node is not None and node.type == "ask" and node.slot in T.SUMMARY_LABELS:
        step = t(T.SUMMARY_LABELS[node.slot or ""])
    if step:
        lines.append(f"   {t(T.MYDATA_STEP)}: {step}" if lines else f"• {t(T.MYDATA_STEP)}: {step}")
    return lines
