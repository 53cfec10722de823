"""The dialog engine: (session, event) -> (session, effects). Pure: no I/O, no clock, no randomness."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.core import texts as T
from bot.core.dialogs import Content, Node
from bot.core.emergency import Detection, Matcher, pattern_language
from bot.core.events import (
    Button,
    ChatMoved,
    Command,
    CreateRequest,
    DataRequest,
    Effect,
    Event,
    HandoffDone,
    Pressed,
    Reachability,
    RecordConsent,
    Refused,
    RelayToStaff,
    Reply,
    Session,
    Text,
    Unsupported,
)
from bot.core.hours import HoursData, district_ids, district_name
from bot.core.i18n import LANGUAGES, I18n, isolate
from bot.core.phone import check_phone
from bot.core.render import consent_summary, hours_text
from bot.core.render import number as _number

WELCOME = "main/welcome"
MENU = "main/menu"
EMERGENCY = "emergency/start"
CALLBACK = "callback/start"
COMMAND_TARGETS = {
    "hours": "main/hours",
    "callback": CALLBACK,
    "help": "info/help",
    "privacy": "info/privacy",
    "emergency": EMERGENCY,
}
WAITING = {"menu", "ask", "consent", "handoff", "end"}
MAX_HOPS = 50
MAX_RELAY = 1000
MAX_SOS_TEXT = 4000  # an emergency is passed on even when longer than a message or a note may be
SOS_BUTTON = "🆘 SOS"  # before a language is chosen: no words, the sign and the numbers are understood
SOS_LINE = "🆘 112 · 110"
MAX_HISTORY = 20


@dataclass(frozen=True)
class Context:
    """What the engine may read besides the session: content, catalogs, hours, the time, config values."""

    content: Content
    i18n: I18n
    hours: HoursData
    now: datetime
    params: dict[str, str] = field(default_factory=dict)
    emergency: Matcher = field(default_factory=lambda: Matcher([]))
    open_request: str | None = None  # the family's open or claimed request: one at a time


def step(session: Session, event: Event, ctx: Context) -> tuple[Session, list[Effect]]:
    """Handle one event; return the new session and what to do (replies first to last)."""
    turn = _Turn(Session.from_json(session.to_json()), ctx)
    turn.handle(event)
    return turn.s, turn.effects


class _Params(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class _Turn:
    def __init__(self, session: Session, ctx: Context) -> None:
        self.s = session
        self.ctx = ctx
        self.effects: list[Effect] = []
        self.parts: list[str] = []

    # --- output ---------------------------------------------------------------------------------------

    @property
    def lang(self) -> str:
        return self.s.lang or "de"

    def t(self, msgid: str, **params: object) -> str:
        merged = _Params(self.ctx.params)
        merged.update(params)
        i18n = self.ctx.i18n
        text = i18n.catalogs.get(self.lang, {}).get(msgid) or msgid
        if i18n.is_rtl(self.lang):
            merged = _Params({k: isolate(str(v)) for k, v in merged.items()})
        return text.format_map(merged)

    def say(self, text: str) -> None:
        self.parts.append(text)

    def flush(self, rows: list[list[Button]] | None = None) -> None:
        if not self.parts:
            return
        buttons = tuple(tuple(r) for r in (rows or []) if r)
        rtl = self.ctx.i18n.is_rtl(self.lang)
        self.effects.append(Reply("\n\n".join(self.parts), buttons, rtl))
        self.parts = []

    def nav_row(self, node: Node | None) -> list[Button]:
        row = [] if node is not None and node.id == EMERGENCY else [Button(self.t(T.EMERGENCY_BUTTON), "g:sos")]
        if self.s.history:
            row.append(Button(self.t(T.BACK_BUTTON), "g:back"))
        if node is None or node.id != MENU:
            row.append(Button(self.t(T.MENU_BUTTON), "g:menu"))
        else:
            row.append(Button(self.t(T.LANGUAGE_BUTTON), "g:lang"))
        return row

    # --- events ----------------------------------------------------------------------------------------

    def handle(self, event: Event) -> None:
        if isinstance(event, ChatMoved | Reachability):
            return  # platform events are the application's, not the dialog's
        if isinstance(event, HandoffDone):
            node = self.ctx.content.node(self.s.at)
            self.s.slots.clear()
            self.enter(node.next if node and node.next else MENU, reference=event.reference)
            return
        if isinstance(event, Text):
            found = self.detect(event.text)
            if found:
                self.emergency_in_text(found, T.clean_text(event.text))
                return
        if self.is_emergency(event):
            self.enter(EMERGENCY, push=True)
            if self.s.lang is None:
                self.language_picker()
            return
        if isinstance(event, Pressed) and event.data.startswith("r:"):
            self.start_writing(event.data[2:])
            return
        if self.s.writing_to is not None:
            reference, self.s.writing_to = self.s.writing_to, None
            if isinstance(event, Text) and T.clean_text(event.text):
                self.write_to_staff(reference, T.clean_text(event.text))
                return
        if isinstance(event, Pressed) and event.data.startswith("l:"):
            self.choose_language(event.data[2:])
            return
        if self.s.lang is None or (isinstance(event, Command) and event.name == "language"):
            self.language_picker(floor=isinstance(event, Text | Command) and self.s.lang is None)
            return
        if isinstance(event, Pressed) and event.data == "g:lang":
            self.language_picker()
            return
        if isinstance(event, Command):
            self.command(event)
        elif isinstance(event, Pressed):
            self.pressed(event.data)
        elif isinstance(event, Unsupported):
            self.say(self.t(T.UNSUPPORTED))
            self.rerender()
        elif isinstance(event, Text):
            self.typed(T.clean_text(event.text))

    def start_writing(self, reference: str) -> None:
        """The family pressed "reply" under a message from the team: the next text goes to that team member."""
        if reference != self.ctx.open_request:  # closed since, or another family's: the runtime tells which
            self.stale("old_step", T.RELAY_CLOSED, reference)
            return
        self.s.writing_to = reference
        self.say(self.t(T.RELAY_PROMPT, max=MAX_RELAY))
        self.flush([[Button(self.t(T.CANCEL_BUTTON), "g:menu")]])

    def write_to_staff(self, reference: str, text: str) -> None:
        if len(text) > MAX_RELAY:
            self.s.writing_to = reference  # keep writing: only the length was wrong
            self.say(self.t(T.TOO_LONG, max=MAX_RELAY))
            self.flush([[Button(self.t(T.CANCEL_BUTTON), "g:menu")]])
            return
        self.effects.append(RelayToStaff(reference, text))

    def is_emergency(self, event: Event) -> bool:
        if isinstance(event, Pressed):
            return event.data == "g:sos"
        if isinstance(event, Command):
            return event.name == "emergency"
        return False

    def detect(self, text: str) -> Detection:
        """Recognise an emergency: in the family's language, German and English; in every language before a choice."""
        if self.s.lang is None:
            return self.ctx.emergency.detect(text, None)
        return self.ctx.emergency.detect(text, {pattern_language(self.s.lang), "de", "en"})

    def emergency_in_text(self, found: Detection, text: str) -> None:
        """Add the numbers to what the message was for; never replace it (DOMAIN.md, the emergency principle)."""
        category = found.categories[0].value
        if self.s.lang is None:
            # Before a choice the screen comes in the language the line was typed in, when it can be told.
            self.s.lang = next((lang for lang in found.languages if lang in self.ctx.i18n.enabled), None)
            self.say_emergency(found)
            self.enter(EMERGENCY, push=True)
            self.s.lang, self.s.at, self.s.history = None, None, []
            self.language_picker()
            return
        if self.s.writing_to is not None and text:
            reference, self.s.writing_to = self.s.writing_to, None
            self.say_emergency(found)
            self.say(self.t_node(EMERGENCY))
            self.flush([[Button(self.t(T.MENU_BUTTON), "g:menu")]])
            self.effects.append(RelayToStaff(reference, text[:MAX_SOS_TEXT], sos=category))
            return
        node = self.ctx.content.node(self.s.at)
        if node is not None and node.type in ("ask", "consent"):
            self.say_emergency(found)
            self.say(self.t_node(EMERGENCY))
            self.flush()
            self.s.slots["sos"] = category
            if node.type == "consent":
                self.render(node)
            elif node.kind == "text" and text:
                self.s.slots["urgent"] = "yes"
                self.say(self.t(T.MARKED_URGENT))
                assert node.slot is not None
                self.s.slots[node.slot] = text[:MAX_SOS_TEXT]
                self.enter(node.next or MENU, push=True)
            else:
                self.answer_text(node, text)
            return
        self.say_emergency(found)
        self.enter(EMERGENCY, push=True)

    def say_emergency(self, found: Detection) -> None:
        """The lead of the most urgent category recognised (and of the next, if it calls for other numbers)."""
        leads = dict.fromkeys(self.t(T.EMERGENCY_LEADS[c.value]) for c in found.categories[:2])
        for lead in leads:
            self.say(lead)

    def t_node(self, qid: str) -> str:
        node = self.ctx.content.node(qid)
        return self.t(node.text) if node is not None and node.text else ""

    def t_in(self, lang: str, msgid: str) -> str:
        return self.ctx.i18n.catalogs.get(lang, {}).get(msgid) or msgid

    def language_picker(self, *, floor: bool = False) -> None:
        """Each language named in itself; after typed text also the way to the numbers, in no language at all."""
        enabled = [c for c in LANGUAGES if c in self.ctx.i18n.enabled]
        prompts = dict.fromkeys(self.t_in(c, T.PICK_LANGUAGE) for c in enabled)
        self.say("🌐 " + "\n".join(prompts))
        rows = [[Button(LANGUAGES[c].native, f"l:{c}") for c in enabled[i : i + 2]] for i in range(0, len(enabled), 2)]
        if floor:
            self.say(SOS_LINE)
            rows.append([Button(SOS_BUTTON, "g:sos")])
        self.flush(rows)

    def choose_language(self, code: str) -> None:
        if code not in self.ctx.i18n.enabled:
            self.effects.append(Refused("undecodable", self.t(T.BUTTON_INVALID)))
            self.language_picker()
            return
        first_time = self.s.lang is None
        self.s.lang = code
        if first_time or self.ctx.content.node(self.s.at) is None:
            self.enter(WELCOME)
        else:
            self.rerender()

    def command(self, cmd: Command) -> None:
        if cmd.name == "start":
            self.s.history.clear()
            self.s.slots.clear()
            self.enter(WELCOME)
        elif cmd.name == "mydata":
            self.effects.append(DataRequest("show"))
        elif cmd.name == "delete":
            # One more tap, so a mistap in the menu does not withdraw a family's request.
            self.say(self.t(T.CONFIRM_DELETE))
            self.flush([[Button(self.t(T.DELETE_YES), "x:delete")], [Button(self.t(T.DELETE_NO), "g:menu")]])
        elif cmd.name in COMMAND_TARGETS:
            self.enter(COMMAND_TARGETS[cmd.name], push=True)
        elif cmd.name == "reminders":
            self.say(self.t(T.NOT_YET))
            self.rerender()
        else:
            self.not_understood(T.USE_BUTTONS)

    def pressed(self, data: str) -> None:
        if data == "g:back":
            self.back()
            return
        if data == "g:menu":
            self.s.slots.clear()
            self.enter(MENU)
            return
        if data == "x:delete":
            self.effects.append(DataRequest("delete"))
            return
        kind, _, rest = data.partition(":")
        qid, _, arg = rest.rpartition(":")
        node = self.ctx.content.node(qid)
        index = _number(arg)
        if kind not in ("o", "k", "c"):
            self.stale("undecodable")
        elif node is None:
            self.stale("old_flow")  # a button of a step the content no longer has (or a forged one)
        elif kind == "o" and node.type == "menu" and index is not None and index < len(node.options):
            # Menus are navigation: an older menu's button still works from anywhere.
            self.s.at = node.id
            self.choose_option(node, index)
        elif self.s.at != qid:
            self.stale("old_step")
        elif kind == "o" and node.type == "ask" and index is not None:
            self.answer_choice(node, index)
        elif kind == "k" and node.type == "ask" and node.optional:
            self.enter(node.next or MENU)
        elif kind == "c" and node.type == "consent" and arg in ("y", "n"):
            self.consent(node, arg == "y")
        else:
            self.stale("undecodable")

    def typed(self, text: str) -> None:
        node = self.ctx.content.node(self.s.at)
        if node is None or node.type in ("end", "handoff"):
            self.say(self.t(T.IN_DANGER))
            self.enter(MENU)
        elif not text:
            self.not_understood(T.EMPTY)
        elif node.type == "menu":
            index = self.match_label(node, text)
            if index is None:
                self.not_understood(T.USE_BUTTONS)
            else:
                self.choose_option(node, index)
        elif node.type == "ask":
            self.answer_text(node, text)
        else:
            self.not_understood(T.USE_BUTTONS)

    def not_understood(self, msgid: str) -> None:
        """The floor: a reply to text the bot did not understand always carries the numbers and the 🆘 button."""
        self.say(self.t(msgid))
        self.say(self.t(T.IN_DANGER))
        self.rerender()

    def match_label(self, node: Node, text: str) -> int | None:
        number = _number(text)
        if number is not None and 1 <= number <= len(node.options):
            return number - 1
        for i, option in enumerate(node.options):
            if self.t(option.label).casefold() == text.casefold():
                return i
        return None

    # --- node logic ------------------------------------------------------------------------------------

    def choose_option(self, node: Node, index: int) -> None:
        option = node.options[index]
        self.s.slots.update(option.set)
        self.enter(option.goto or node.next or MENU, push=True)

    def answer_choice(self, node: Node, index: int) -> None:
        if node.kind == "district":
            ids = district_ids(self.ctx.hours)
            if index > len(ids):
                self.stale("undecodable")
                return
            value = ids[index] if index < len(ids) else "unknown"
            assert node.slot is not None
            self.s.slots[node.slot] = value
            if value != "unknown":
                self.s.district = value
            self.enter(node.next or MENU, push=True)
            return
        if index >= len(node.options):
            self.stale("undecodable")
            return
        option = node.options[index]
        if node.slot:
            self.s.slots[node.slot] = option.value or str(index)
        self.s.slots.update(option.set)
        self.enter(option.goto or node.next or MENU, push=True)

    def answer_text(self, node: Node, text: str) -> None:
        assert node.slot is not None
        if node.kind in ("choice", "district"):
            labels = [self.t(o.label) for o in node.options]
            if node.kind == "district":
                labels = [district_name(self.ctx.hours, d) for d in district_ids(self.ctx.hours)]
            match = [i for i, label in enumerate(labels) if label.casefold() == text.casefold()]
            number = _number(text)
            if number is not None and 1 <= number <= len(labels):
                match = [number - 1]
            if match:
                self.answer_choice(node, match[0])
                return
            self.say(self.t(node.hint or T.USE_BUTTONS))
            self.say(self.t(T.IN_DANGER))
        elif node.kind == "phone":
            checked = check_phone(text)
            if checked.number is not None:
                self.s.slots[node.slot] = checked.number
                self.enter(node.next or MENU, push=True)
                return
            hint = {"service": T.PHONE_SERVICE, "letters": T.PHONE_LETTERS}.get(checked.problem or "")
            self.say(self.t(hint or node.hint or T.DEFAULT_PHONE_HINT, example="0234 1234567"))
            self.say(self.t(T.IN_DANGER))
        else:
            if node.max_length and len(text) > node.max_length:
                self.say(self.t(T.TOO_LONG, max=node.max_length))
            else:
                self.s.slots[node.slot] = text
                self.enter(node.next or MENU, push=True)
                return
        self.render(node)

    def consent(self, node: Node, agreed: bool) -> None:
        assert node.purpose and node.consent_id
        if not agreed:
            self.s.slots = {k: v for k, v in self.s.slots.items() if k == "topic"}
            self.enter(node.decline or MENU)
            return
        record = RecordConsent(node.purpose, node.consent_id, node.consent_version, self.lang, "given")
        self.effects.append(record)
        self.enter(node.accept or MENU)

    def back(self) -> None:
        while self.s.history:
            target = self.s.history.pop()
            if self.ctx.content.node(target) is not None:
                self.enter(target)
                return
        self.enter(MENU)

    def stale(self, kind: str, said: str = T.STALE_BUTTON, reference: str | None = None) -> None:
        """A press not acted on: a short answer and its kind for the audit (never the data), then where we are."""
        notice = self.t(T.BUTTON_INVALID if kind == "undecodable" else T.BUTTON_OLD)
        self.effects.append(Refused(kind, notice, reference))
        self.say(self.t(said))
        self.rerender()

    def rerender(self) -> None:
        node = self.ctx.content.node(self.s.at)
        if node is None or node.type not in WAITING or node.type == "handoff":
            self.enter(MENU)
        else:
            self.render(node)

    def enter(self, qid: str, *, push: bool = False, **params: object) -> None:
        """Walk from qid through non-waiting nodes, saying their texts, until a node waits for input."""
        if qid == CALLBACK and self.ctx.open_request:
            self.open_request()
            return
        previous = self.s.at
        for _ in range(MAX_HOPS):
            node = self.ctx.content.node(qid)
            if node is None:
                self.restart_politely()
                return
            if node.type in ("message", "hours", "goto"):
                if node.type == "hours":
                    self.say_hours(node)
                elif node.text:
                    self.say(self.t(node.text, **params))
                qid = node.next or MENU
                continue
            if node.type == "ask" and node.skip_if_set and node.slot in self.s.slots:
                qid = node.next or MENU
                continue
            if push and previous and previous != node.id and self.ctx.content.node(previous):
                self.s.history = [*self.s.history, previous][-MAX_HISTORY:]
            self.s.at = node.id
            self.render(node, **params)
            return
        self.restart_politely()

    def open_request(self) -> None:
        """One open request per family: show it, and offer to add to it instead of filing another."""
        reference = self.ctx.open_request
        self.say(self.t(T.ALREADY_OPEN, reference=reference))
        self.flush([[Button(self.t(T.ADD_TO_REQUEST), f"r:{reference}")], self.nav_row(None)])

    def restart_politely(self) -> None:
        self.parts = [self.t(T.RESTARTED)]
        self.s.history.clear()
        self.s.slots.clear()
        self.s.at = None
        node = self.ctx.content.node(MENU)
        if node is None:  # the content itself is broken; `elternlotse check` prevents this
            self.flush()
            return
        self.s.at = MENU
        self.render(node)

    def render(self, node: Node, **params: object) -> None:
        if node.type == "handoff":
            self.flush()
            self.effects.append(CreateRequest(dict(self.s.slots), self.lang))
            return
        text = node.text
        if node.type == "consent":
            params = {**params, "summary": self.summary()}
        if text:
            self.say(self.t(text, **params))
        rows: list[list[Button]] = []
        if node.type == "menu" or (node.type == "ask" and node.kind == "choice"):
            rows = [[Button(self.t(o.label), f"o:{node.id}:{i}")] for i, o in enumerate(node.options)]
        elif node.type == "ask" and node.kind == "district":
            ids = district_ids(self.ctx.hours)
            names = [district_name(self.ctx.hours, d) for d in ids] + [self.t(T.DONT_KNOW_DISTRICT)]
            buttons = [Button(name, f"o:{node.id}:{i}") for i, name in enumerate(names)]
            rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
        elif node.type == "consent":
            rows = [
                [Button(self.t(T.AGREE_BUTTON), f"c:{node.id}:y")],
                [Button(self.t(T.DECLINE_BUTTON), f"c:{node.id}:n")],
            ]
        if node.type == "ask" and node.optional:
            rows.append([Button(self.t(T.SKIP_BUTTON), f"k:{node.id}:")])
        if node.type == "end":
            self.s.slots.clear()
            self.s.history.clear()
        rows.append(self.nav_row(node))
        self.flush(rows)

    def say_hours(self, node: Node) -> None:
        district = self.s.slots.get("district") or self.s.district
        header = self.t(node.text) if node.text else None
        self.say(hours_text(self.ctx, self.lang, self.t, district, header))

    def summary(self) -> str:
        return consent_summary(self.ctx, self.lang, self.t, self.s.slots)
