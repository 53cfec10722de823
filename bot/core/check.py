"""`elternlotse check`: schema, graph, callback data and translations of the dialog content."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.core.buttons import MAX_INDEX, Choose, Consent, Decoded, Skip, encode
from bot.core.dialogs import ASK_KINDS, Content, Node, Problem, load_content
from bot.core.emergency_file import load_matcher
from bot.core.engine import COMMAND_TARGETS, EMERGENCY, MENU, REMINDERS, REMINDERS_DISTRICT, WELCOME
from bot.core.i18n import DOMAIN, LANGUAGES, SOURCE_LANGUAGE, placeholders
from bot.core.langstatus import plural_rule_problem
from bot.core.readability import EASY_LANGUAGE, EASY_LIX_MAX, measure, report, too_hard

KNOWN_PLACEHOLDERS = {
    "office_emergency", "office_phone", "retention_days", "reference", "summary", "example", "max",
    "day", "start", "end", "district", "place", "address", "code",
    "date", "time", "time_window", "status", "purpose", "version", "number", "extension", "language", "native",
}  # fmt: skip
AUTO_ADVANCE = {"message", "hours", "goto", "subscribe"}
# Words that only make sense where there are buttons: such a text needs a `text_without_buttons` (Matrix has none).
TAPPING = re.compile(r"\b(tipp\w*|schaltfläche\w*|button\w*|klick\w*|drück\w*)", re.IGNORECASE)
METHOD_MAP = [("bot/**.py", "python"), ("dialogs/**.yaml", "bot.core.extract:extract_yaml")]


@dataclass(frozen=True)
class Message:
    text: str
    file: str
    line: int
    node: str


def check_graph(content: Content) -> list[Problem]:
    """Every node well-formed, every target present, everything reachable, no loop that never waits."""
    problems: list[Problem] = []
    nodes = {n.id: n for n in content.all_nodes()}
    for node in nodes.values():
        problems += _check_node(node)
        for target in node.targets():
            if target not in nodes:
                problems.append(Problem(node.file, node.line, node.id, f"target {target!r} does not exist"))
    for flow in content.flows.values():
        if flow.start not in nodes:
            problems.append(Problem(flow.file, 1, flow.id, f"start {flow.start!r} does not exist"))
    roots = [WELCOME, MENU, EMERGENCY, REMINDERS, REMINDERS_DISTRICT, *COMMAND_TARGETS.values()]
    for root in roots:
        if root not in nodes:
            problems.append(Problem("-", 0, root, "the engine needs this node, but no flow defines it"))
    seen = _reachable([r for r in roots if r in nodes], nodes)
    for node in nodes.values():
        if node.id not in seen:
            problems.append(Problem(node.file, node.line, node.id, "unreachable: no path leads here"))
    problems += _auto_cycles(nodes)
    return problems


def _check_node(n: Node) -> list[Problem]:
    needs: list[str] = []
    if n.type in AUTO_ADVANCE | {"handoff"} and not n.next:
        needs.append("next" if n.type != "goto" else "target")
    if n.type == "menu" and not n.options:
        needs.append("options")
    if n.type == "ask":
        if not n.slot:
            needs.append("slot")
        if n.kind not in ASK_KINDS:
            needs.append(f"kind (one of {', '.join(sorted(ASK_KINDS))})")
        if n.kind == "choice" and not n.options:
            needs.append("options")
        if n.kind == "text" and n.max_length <= 0:
            needs.append("max_length")
        if not n.text:
            needs.append("text")
    if n.type == "consent":
        for key, value in (("purpose", n.purpose), ("consent_id", n.consent_id), ("accept", n.accept),
                           ("decline", n.decline), ("consent_version", n.consent_version)):  # fmt: skip
            if not value:
                needs.append(key)
    problems = [Problem(n.file, n.line, n.id, f"a {n.type} node needs '{key}'") for key in needs]
    if n.text and TAPPING.search(n.text) and not n.text_without_buttons:
        problems.append(Problem(n.file, n.line, n.id, "the text speaks of tapping: add 'text_without_buttons'"))
    if n.hint and TAPPING.search(n.hint):
        problems.append(Problem(n.file, n.line, n.id, "the hint speaks of tapping: Matrix has no buttons"))
    if n.text_without_buttons and TAPPING.search(n.text_without_buttons):
        problems.append(Problem(n.file, n.line, n.id, "'text_without_buttons' speaks of tapping"))
    for option in n.options:
        if not option.label:
            problems.append(Problem(n.file, option.line, n.id, "an option needs a label"))
    for line, press in _presses(n):
        try:
            encode(press)
        except ValueError as error:
            mend = "shorten the node id, and use only letters, digits, _ . - in it"
            problems.append(Problem(n.file, line, n.id, f"{error}: {mend}"))
            break
    return problems


def _presses(n: Node) -> list[tuple[int, Decoded]]:
    """The buttons a node will show that name it (with the line to blame), the longest a district list makes."""
    presses: list[tuple[int, Decoded]] = [(o.line, Choose(n.id, i)) for i, o in enumerate(n.options)]
    if n.type == "ask" and n.kind == "district":
        presses.append((n.line, Choose(n.id, MAX_INDEX)))  # one button a district: their number is the hours'
    if n.type == "ask" and n.optional:
        presses.append((n.line, Skip(n.id)))
    if n.type == "consent":
        presses += [(n.line, Consent(n.id, True)), (n.line, Consent(n.id, False))]
    return presses


def _reachable(roots: Iterable[str], nodes: dict[str, Node]) -> set[str]:
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        qid = todo.pop()
        if qid in seen or qid not in nodes:
            continue
        seen.add(qid)
        todo.extend(nodes[qid].targets())
    return seen


def _auto_cycles(nodes: dict[str, Node]) -> list[Problem]:
    """A loop through message/hours/goto nodes only would never wait for the parent: an endless loop."""
    problems = []
    for start in nodes.values():
        current, path = start, [start.id]
        while current.type in AUTO_ADVANCE and current.next in nodes:
            current = nodes[current.next]
            if current.id == start.id:
                problems.append(Problem(start.file, start.line, start.id, "cycle without exit: " + " → ".join(path)))
                break
            if current.id in path:
                break
            path.append(current.id)
    return problems


def source_messages(root: Path) -> list[Message]:
    """Every translatable string of the code and the dialogs, with where it stands."""
    found = []
    for filename, line, text, comments, _ in extract_from_dir(str(root), METHOD_MAP):
        if isinstance(text, tuple):
            text = text[0]
        node = comments[0] if comments else "-"
        found.append(Message(text, filename, line, node))
    return found


def check_translations(messages: list[Message], locales_dir: Path, languages: list[str]) -> list[Problem]:
    """Every message translated (not fuzzy) in every enabled language, with identical placeholders."""
    problems: list[Problem] = []
    for message in messages:
        unknown = placeholders(message.text) - KNOWN_PLACEHOLDERS
        if unknown:
            problems.append(Problem(message.file, message.line, message.node, f"unknown placeholder {sorted(unknown)}"))
    for lang in languages:
        if lang == SOURCE_LANGUAGE:
            continue
        po_path = locales_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        if not po_path.exists():
            problems.append(Problem(str(po_path), 0, "-", f"no catalog for enabled language {lang}"))
            continue
        catalog = _read(po_path, lang)
        rule = plural_rule_problem(catalog, lang)
        if rule:
            problems.append(Problem(str(po_path), 0, "-", f"{lang}: {rule}"))
        for message in messages:
            entry = catalog.get(message.text)
            where = (message.file, message.line, message.node)
            if entry is None or not entry.string or entry.fuzzy:
                problems.append(Problem(*where, f"missing translation in {lang}"))
            elif isinstance(entry.string, tuple | list):
                # An empty plural form compiles to the German source text: a family would read German.
                if len(entry.string) < catalog.num_plurals or not all(entry.string):
                    problems.append(Problem(*where, f"untranslated plural form in {lang}"))
            elif placeholders(str(entry.string)) != placeholders(message.text):
                problems.append(
                    Problem(
                        *where,
                        f"placeholders differ in {lang}: {sorted(placeholders(str(entry.string)))}"
                        f" instead of {sorted(placeholders(message.text))}",
                    )
                )
    return problems


def _read(path: Path, lang: str) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=LANGUAGES[lang].babel if lang in LANGUAGES else lang)


def run_check(root: Path, flows_dir: Path, locales_dir: Path, languages: list[str]) -> list[Problem]:
    """All problems of the content, in file order."""
    content, problems = load_content(flows_dir)
    problems += check_graph(content)
    problems += check_translations(source_messages(root), locales_dir, languages)
    problems += load_matcher(locales_dir, languages)[1]
    return problems


def check_readability(
    messages: list[Message], locales_dir: Path, languages: list[str]
) -> tuple[list[str], list[Problem]]:
    """LIX of every German text and its Easy German translation (when enabled); an Easy German text too hard fails."""
    easy: dict[str, str] = {}
    po_path = locales_dir / EASY_LANGUAGE / "LC_MESSAGES" / f"{DOMAIN}.po"
    if EASY_LANGUAGE in languages and po_path.exists():
        easy = {str(m.id): str(m.string) for m in _read(po_path, EASY_LANGUAGE) if m.id and m.string and not m.fuzzy}
    measured = measure([(m.text, m.file, m.line, m.node) for m in messages], easy)
    problems = [
        Problem(m.file, m.line, m.node, f"Easy German too hard to read: LIX {m.easy.lix:.0f} > {EASY_LIX_MAX:.0f}"
                " (shorter sentences, fewer long words)")
        for m in too_hard(measured)
        if m.easy is not None
    ]  # fmt: skip
    return report(measured), problems
