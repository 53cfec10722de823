"""One turn of the dialog: what the engine says, and how it walks the content to the next node that waits."""

from __future__ import annotations

from bot.core import texts as T
from bot.core.bidi import is_rtl_text, isolate_value, shape
from bot.core.buttons import Choose, Consent, Go, Nav, PickLanguage, ReplyTo, Skip, button
from bot.core.cards import LANGUAGE_NAMES_DE
from bot.core.choices import flat, offer_of
from bot.core.context import Context
from bot.core.dialogs import Node
from bot.core.events import Button, CreateRequest, Effect, Refused, Reply, Session, Subscribe
from bot.core.hours import district_ids, district_name
from bot.core.i18n import LANGUAGES
from bot.core.render import consent_summary, hours_text

WELCOME = "main/welcome"
MENU = "main/menu"
EMERGENCY = "emergency/start"
CALLBACK = "callback/start"
REMINDERS = "reminders/start"  # /reminders for a family without reminders: ask for them
REMINDERS_DISTRICT = "reminders/change"  # the district question of a family that has them
COMMAND_TARGETS = {
    "hours": "main/hours",
    "callback": CALLBACK,
    "help": "info/help",
    "privacy": "info/privacy",
    "emergency": EMERGENCY,
}
WAITING = {"menu", "ask", "consent", "handoff", "end"}
FREE_TEXT = {"text", "phone"}  # asks that wait for words: a bare "1" there is an answer, not a choice
MAX_HOPS = 50
MAX_RELAY = 1000
MAX_SOS_TEXT = 4000  # an emergency is passed on even when longer than a message or a note may be
SOS_BUTTON = "🆘 SOS"  # before a language is chosen: no words, the sign and the numbers are understood
SOS_LINE = "🆘 112 · 110"
MAX_HISTORY = 20


class _Params(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _label_shaped(b: Button) -> Button:
    """A right-to-left label's numbers isolated ("صباحًا (الساعة 9–12)" showed "12–9"); a label wholly in Latin
    letters (a district's name) is a left-to-right line of its own and stays as it is."""
    return Button(shape(b.label), b.data) if is_rtl_text(b.label) else b


class Turn:
    """The session being changed and the effects collected while one event is handled."""

    def __init__(self, session: Session, ctx: Context) -> None:
        self.s = session
        self.ctx = ctx
        self.effects: list[Effect] = []
        self.parts: list[str] = []
        self.german: dict[str, str] = {}  # label shown -> its German source, so either can be typed

    # --- output ---------------------------------------------------------------------------------------

    @property
    def lang(self) -> str:
        return self.s.lang or "de"

    def t(self, msgid: str, **params: object) -> str:
        """The text in the family's language, with config values and params filled in (isolated in RTL); where the
        platform shows no buttons, a text that speaks of them is said in its other wording."""
        if not self.ctx.buttons:
            msgid = T.WITHOUT_BUTTONS.get(msgid, msgid)
        merged = _Params(self.ctx.params)
        merged.update(params)
        i18n = self.ctx.i18n
        text = i18n.catalogs.get(self.lang, {}).get(msgid) or msgid
        if i18n.is_rtl(self.lang):
            merged = _Params({k: isolate_value(str(v)) for k, v in merged.items()})
        return text.format_map(merged)

    def label(self, msgid: str) -> str:
        """A button's label in the family's language; the German one is remembered for typed answers."""
        shown = self.t(msgid)
        self.german[shown] = msgid.format_map(_Params(self.ctx.params))
        return shown

    def text_of(self, node: Node) -> str | None:
        """A node's text for this platform: the office may word it differently where there are no buttons."""
        if not self.ctx.buttons and node.text_without_buttons:
            return node.text_without_buttons
        return node.text

    def t_node(self, qid: str) -> str:
        node = self.ctx.content.node(qid)
        text = self.text_of(node) if node is not None else None
        return self.t(text) if text else ""

    def t_in(self, lang: str, msgid: str) -> str:
        return self.ctx.i18n.catalogs.get(lang, {}).get(msgid) or msgid

    def say(self, text: str) -> None:
        self.parts.append(text)

    def flush(self, rows: list[list[Button]] | None = None, *, at: str | None = None, free_text: bool = False) -> None:
        """What was said so far becomes one reply, with these rows of buttons under it; they become the offer that
        typed numbers and labels are read against (at: the step showing them; free_text: it waits for words)."""
        if not self.parts:
            return
        rtl = self.ctx.i18n.is_rtl(self.lang)
        written = [list(r) for r in (rows or []) if r]
        buttons = tuple(tuple(_label_shaped(b) if rtl else b for b in r) for r in written)
        if buttons:
            if free_text and not self.ctx.buttons:
                self.parts.append(self.t(T.CHOOSE_WITH_HASH))
            # The German label is looked up by the label as written, before right-to-left shaping.
            german = {shown.label: self.german.get(plain.label, plain.label)
                      for shown, plain in zip(flat(buttons), flat(written), strict=True)}  # fmt: skip
            self.s.offer = offer_of(buttons, german, at, free_text)
            self.s.aside = None  # this list is the newest now
        # Shaped here, once the text is whole: a typed name or the office's data between translated words
        # is isolated too.
        text = self.ctx.i18n.shape(self.lang, "\n\n".join(self.parts))
        self.effects.append(Reply(text, buttons, rtl))
        self.parts = []

    def nav_row(self, node: Node | None) -> list[Button]:
        row = [] if node is not None and node.id == EMERGENCY else [button(self.label(T.EMERGENCY_BUTTON), Go(Nav.SOS))]
        if self.s.history:
            row.append(button(self.label(T.BACK_BUTTON), Go(Nav.BACK)))
        if node is None or node.id != MENU:
            row.append(button(self.label(T.MENU_BUTTON), Go(Nav.MENU)))
        else:
            row.append(button(self.label(T.LANGUAGE_BUTTON), Go(Nav.LANGUAGE)))
        return row

    def language_picker(self, *, floor: bool = False) -> None:
        """Each language named in itself; after typed text also the way to the numbers, in no language at all."""
        enabled = [c for c in LANGUAGES if c in self.ctx.i18n.enabled]
        prompts = dict.fromkeys(self.t_in(c, T.PICK_LANGUAGE) for c in enabled)
        self.say("🌐 " + "\n".join(prompts))
        choices = [button(LANGUAGES[c].native, PickLanguage(c)) for c in enabled]
        self.german.update({LANGUAGES[c].native: LANGUAGE_NAMES_DE.get(c, LANGUAGES[c].native) for c in enabled})
        rows = [choices[i : i + 2] for i in range(0, len(choices), 2)]
        if floor:
            self.say(SOS_LINE)
            rows.append([button(SOS_BUTTON, Go(Nav.SOS))])
        self.flush(rows)

    def not_understood(self, msgid: str) -> None:
        """The floor: a reply to text the bot did not understand always carries the numbers and the 🆘 button."""
        self.say(self.t(msgid))
        self.say(self.t(T.IN_DANGER))
        self.rerender()

    def stale(self, kind: str, said: str = T.STALE_BUTTON, reference: str | None = None) -> None:
        """A press not acted on: a short answer and its kind for the audit (never the data), then where we are."""
        notice = self.t(T.BUTTON_INVALID if kind == "undecodable" else T.BUTTON_OLD)
        self.effects.append(Refused(kind, notice, reference))
        self.say(self.t(said))
        self.rerender()

    # --- navigation ------------------------------------------------------------------------------------

    def back(self) -> None:
        while self.s.history:
            target = self.s.history.pop()
            if self.ctx.content.node(target) is not None:
                self.enter(target)
                return
        self.enter(MENU)

    def rerender(self) -> None:
        """Show again the node the family is at (the menu if it does not wait for them)."""
        node = self.ctx.content.node(self.s.at)
        if node is None or node.type not in WAITING or node.type == "handoff":
            self.enter(MENU)
        else:
            self.render(node)

    def enter(self, qid: str, *, push: bool = False, **params: object) -> None:
        """Walk from qid through non-waiting nodes, saying their texts, until a node waits for input."""
        if qid == CALLBACK and self.ctx.open_request:
            self.open_request(self.ctx.open_request)
            return
        previous = self.s.at
        for _ in range(MAX_HOPS):
            node = self.ctx.content.node(qid)
            if node is None:
                self.restart_politely()
                return
            if node.type == "subscribe":
                district = self.known_district()
                if district is None:  # only a flow without an `unknown:` way gets here without one
                    qid = MENU
                    continue
                self.effects.append(Subscribe(district))
                params = {**params, "district": district_name(self.ctx.hours, district)}
                qid = node.next or MENU
                continue
            if node.type in ("message", "hours", "goto"):
                if node.type == "hours":
                    self.say_hours(node)
                elif self.text_of(node):
                    self.say(self.t(self.text_of(node) or "", **params))
                qid = node.next or MENU
                continue
            if node.type == "ask" and node.skip_if_set and self._answered(node):
                assert node.slot is not None
                known = self.known_district() if node.kind == "district" else None
                if known is not None:  # a district known from before (or a poster's) goes into this request too
                    self.s.slots.setdefault(node.slot, known)
                qid = node.next or MENU
                continue
            if push and previous and previous != node.id and self.ctx.content.node(previous):
                self.s.history = [*self.s.history, previous][-MAX_HISTORY:]
            self.s.at = node.id
            self.render(node, **params)
            return
        self.restart_politely()

    def open_request(self, reference: str) -> None:
        """One open request per family: show it, and offer to add to it instead of filing another."""
        self.say(self.t(T.ALREADY_OPEN, reference=reference))
        self.flush([[button(self.label(T.ADD_TO_REQUEST), ReplyTo(reference))], self.nav_row(None)])

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
        """Say a waiting node's text and show its buttons (a handoff asks the runtime for the request instead)."""
        if node.type == "handoff":
            self.flush()
            self.effects.append(CreateRequest(dict(self.s.slots), self.lang))
            return
        text = self.text_of(node)
        district = self.known_district()
        if district is not None:  # also when a step is shown again, without the walk that led to it
            params = {"district": district_name(self.ctx.hours, district), **params}
        if node.type == "consent":
            params = {**params, "summary": self.summary()}
        if text:
            self.say(self.t(text, **params))
        rows: list[list[Button]] = []
        if node.type == "menu" or (node.type == "ask" and node.kind == "choice"):
            rows = [[button(self.label(o.label), Choose(node.id, i))] for i, o in enumerate(node.options)]
        elif node.type == "ask" and node.kind == "district":
            ids = district_ids(self.ctx.hours)
            names = [district_name(self.ctx.hours, d) for d in ids] + [self.label(T.DONT_KNOW_DISTRICT)]
            buttons = [button(name, Choose(node.id, i)) for i, name in enumerate(names)]
            rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
        elif node.type == "consent":
            rows = [
                [button(self.label(T.AGREE_BUTTON), Consent(node.id, True))],
                [button(self.label(T.DECLINE_BUTTON), Consent(node.id, False))],
            ]
        if node.type == "ask" and node.optional:
            rows.append([button(self.label(T.SKIP_BUTTON), Skip(node.id))])
        if node.type == "end":
            self.s.slots.clear()
            self.s.history.clear()
        rows.append(self.nav_row(node))
        self.flush(rows, at=node.id, free_text=node.type == "ask" and node.kind in FREE_TEXT)

    def say_hours(self, node: Node) -> None:
        district = self.s.slots.get("district") or self.s.district
        header = self.t(node.text) if node.text else None  # says when, never how to choose
        self.say(hours_text(self.ctx, self.lang, self.t, district, header))

    def known_district(self) -> str | None:
        """The district just chosen, else the one the family chose before; None if neither is in the hours file."""
        known = district_ids(self.ctx.hours)
        for district in (self.s.slots.get("district"), self.s.district):
            if district in known:
                return district
        return None

    def _answered(self, node: Node) -> bool:
        """Skippable: answered in this conversation, or (a district) known from an earlier one."""
        assert node.slot is not None
        return node.slot in self.s.slots or (node.kind == "district" and self.known_district() is not None)

    def summary(self) -> str:
        return consent_summary(self.ctx, self.lang, self.t, self.s.slots)
