"""Reading and validating the emergency patterns: `locales/<lang>/emergency.yaml`, one file a language."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise
from pathlib import Path
from typing import Any

import yaml

from bot.core.dialogs import Problem
from bot.core.emergency import Category, Context, Matcher
from bot.core.emergency_latin import ROMANIZED_LANGUAGES
from bot.core.emergency_lexicon import FUZZY_MIN
from bot.core.emergency_model import load_model
from bot.core.emergency_pattern import GAP, Pattern, PatternError, parse_pattern, pattern_language
from bot.core.folding import fold

FILENAME = "emergency.yaml"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: the files are large, start-up should be quick


def pattern_files(locales_dir: Path, languages: Iterable[str]) -> dict[str, Path]:
    """The pattern file of each language that has one (or whose parent has one)."""
    found: dict[str, Path] = {}
    for lang in languages:
        for candidate in (lang, pattern_language(lang)):
            path = locales_dir / candidate / FILENAME
            if path.exists():
                found[candidate] = path
                break
    return found


def read_patterns(path: Path, lang: str) -> tuple[list[Pattern], list[str], list[Problem]]:
    """The patterns and attached prefixes of one file, and every problem found in it."""
    patterns, prefixes, _, problems = read_pattern_file(path, lang)
    return patterns, prefixes, problems


def read_pattern_file(path: Path, lang: str) -> tuple[list[Pattern], list[str], list[str], list[Problem]]:
    """The patterns, attached prefixes and Latin marker words (`roman_markers`) of one file, and its problems."""
    problems: list[Problem] = []
    where = str(path)
    try:
        loader = _LOADER(path.read_text(encoding="utf-8"))
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except OSError as exc:
        return [], [], [], [Problem(where, 0, lang, f"cannot read: {type(exc).__name__}")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        hint = ' (a pattern that starts with * must stand in quotes: "*wort*")'
        return [], [], [], [Problem(where, mark.line + 1 if mark else 0, lang, f"not valid YAML{hint}")]
    if root is None or not isinstance(root, yaml.MappingNode):
        return [], [], [], [Problem(where, 1, lang, "expected a mapping with 'categories'")]
    data: dict[str, Any] = _construct(root)
    lines, item_lines = _lines(root)
    known = {"language", "prefixes", "categories", "exclude", "context", "cries", "typo_min_length", "roman_markers"}
    typo_min = data.get("typo_min_length", FUZZY_MIN)
    if not isinstance(typo_min, int) or typo_min < FUZZY_MIN:
        line = lines.get("typo_min_length", 1)
        problems.append(Problem(where, line, lang, f"typo_min_length: a whole number of at least {FUZZY_MIN}"))
        typo_min = FUZZY_MIN
    for key in data:
        if key not in known:
            problems.append(Problem(where, lines.get(key, 1), lang, f"unknown key {key!r}"))
    if data.get("language") != lang:
        problems.append(Problem(where, lines.get("language", 1), lang, f"'language' must be {lang!r}"))
    patterns: list[Pattern] = []
    categories = data.get("categories")
    if not isinstance(categories, dict):
        problems.append(Problem(where, lines.get("categories", 1), lang, "'categories' must map a category to lines"))
        categories = {}
    for name, items in categories.items():
        try:
            category = Category(name)
        except ValueError:
            allowed = ", ".join(c.value for c in Category)
            problems.append(Problem(where, lines.get(name, 1), lang, f"unknown category {name!r} (one of {allowed})"))
            continue
        patterns += _parse_list(items, lang, category, where, item_lines.get(name, []), problems, typo_min)
    for category in Category:
        if category.value not in categories:
            problems.append(Problem(where, 1, lang, f"no patterns for category {category.value!r}"))
    patterns += _parse_list(
        data.get("exclude") or [], lang, None, where, item_lines.get("exclude", []), problems, typo_min
    )
    contexts = data.get("context") or {}
    if not isinstance(contexts, dict):
        problems.append(Problem(where, lines.get("context", 1), lang, "'context' must map a kind to lines"))
        contexts = {}
    for name, items in contexts.items():
        try:
            kind = Context(name)
        except ValueError:
            allowed = ", ".join(c.value for c in Context)
            line = lines.get(f"context.{name}", 1)
            problems.append(Problem(where, line, lang, f"unknown context {name!r} (one of {allowed})"))
            continue
        at = item_lines.get(f"context.{name}", [])
        patterns += _parse_list(items, lang, None, where, at, problems, typo_min, kind)
    cries = data.get("cries") or {}
    if not isinstance(cries, dict):
        problems.append(Problem(where, lines.get("cries", 1), lang, "'cries' must map a category (or 'with') to lines"))
        cries = {}
    for name, items in cries.items():
        at = item_lines.get(f"cries.{name}", [])
        if name == "with":
            patterns += _parse_list(items, lang, None, where, at, problems, typo_min, alone=True)
            continue
        try:
            category = Category(name)
        except ValueError:
            line = lines.get(f"cries.{name}", 1)
            problems.append(Problem(where, line, lang, f"cries: unknown category {name!r} (or 'with')"))
            continue
        patterns += _parse_list(items, lang, category, where, at, problems, typo_min, alone=True)
    prefixes = data.get("prefixes") or []
    if not isinstance(prefixes, list) or not all(isinstance(p, str) and p.strip() for p in prefixes):
        problems.append(Problem(where, lines.get("prefixes", 1), lang, "'prefixes' must be a list of short words"))
        prefixes = []
    return patterns, [p.strip() for p in prefixes], _roman_markers(data, lang, where, lines, problems), problems


def _roman_markers(
    data: dict[str, Any], lang: str, where: str, lines: dict[str, int], problems: list[Problem]
) -> list[str]:
    """The Latin words that tell a line is typed for this language (Finglish, Arabizi, Latin Sorani)."""
    markers = data.get("roman_markers") or []
    line = lines.get("roman_markers", 1)
    if not isinstance(markers, list) or not all(isinstance(m, str) and _latin_word(m) for m in markers):
        problems.append(Problem(where, line, lang, "'roman_markers' must be a list of single words in Latin letters"))
        return []
    if markers and lang not in ROMANIZED_LANGUAGES:
        names = ", ".join(sorted(ROMANIZED_LANGUAGES))
        problems.append(Problem(where, line, lang, f"roman_markers: only {names} lines are read in Latin letters"))
        return []
    return [m.strip() for m in markers]  # folded by the Matcher


def _latin_word(text: str) -> bool:
    folded = fold(text)
    return folded.isascii() and folded.isalnum()


def _parse_list(
    items: object,
    lang: str,
    category: Category | None,
    where: str,
    lines: list[int],
    problems: list[Problem],
    typo_min: int = FUZZY_MIN,
    context: Context | None = None,
    alone: bool = False,
) -> list[Pattern]:
    label = category.value if category else f"context {context.value}" if context else "exclude"
    label = f"cries {category.value if category else 'with'}" if alone else label
    if not isinstance(items, list):
        problems.append(Problem(where, lines[0] if lines else 1, lang, f"{label}: expected a list of patterns"))
        return []
    patterns: list[Pattern] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        line = lines[index] if index < len(lines) else 1
        if not isinstance(item, str) or not item.strip():
            problems.append(Problem(where, line, lang, f"{label}: a pattern must be text"))
            continue
        if item in seen:
            problems.append(Problem(where, line, lang, f"{label}: {item!r} is listed twice"))
        seen.add(item)
        try:
            patterns.append(parse_pattern(item, lang, category, typo_min, context, alone))
        except PatternError as exc:
            problems.append(Problem(where, line, lang, f"{label}: {item!r}: {exc}"))
    return patterns


def _construct(node: yaml.Node) -> Any:
    loader = _LOADER("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def _lines(root: yaml.MappingNode) -> tuple[dict[str, int], dict[str, list[int]]]:
    """The line of each key and of each pattern, for messages an office can act on."""
    lines: dict[str, int] = {}
    items: dict[str, list[int]] = {}
    for key, value in root.value:
        lines[str(key.value)] = key.start_mark.line + 1
        if key.value == "exclude" and isinstance(value, yaml.SequenceNode):
            items["exclude"] = [item.start_mark.line + 1 for item in value.value]
        if key.value in ("categories", "context", "cries") and isinstance(value, yaml.MappingNode):
            prefix = "" if key.value == "categories" else f"{key.value}."
            for inner, patterns in value.value:
                lines[prefix + str(inner.value)] = inner.start_mark.line + 1
                if isinstance(patterns, yaml.SequenceNode):
                    items[prefix + str(inner.value)] = [item.start_mark.line + 1 for item in patterns.value]
    return lines, items


def load_matcher(locales_dir: Path, languages: Iterable[str]) -> tuple[Matcher, list[Problem]]:
    """One matcher over the patterns of the given languages, and the problems of their files."""
    languages = list(languages)
    files = pattern_files(locales_dir, languages)
    problems: list[Problem] = []
    patterns: list[Pattern] = []
    prefixes: dict[str, list[str]] = {}
    markers: dict[str, list[str]] = {}
    for lang in languages:
        if pattern_language(lang) not in files and lang not in files:
            problems.append(Problem(str(locales_dir / lang / FILENAME), 0, lang, "no emergency patterns"))
    for lang, path in files.items():
        found, attached, markers[lang], file_problems = read_pattern_file(path, lang)
        patterns += found
        prefixes[lang] = attached
        problems += file_problems
    return Matcher(patterns, prefixes, markers, load_model(locales_dir)), problems


def joined_alternatives(pattern: Pattern) -> list[tuple[str, str]]:
    """The trap of `|`: a joined spelling listed among the words of one position while its last piece must follow
    ("bi|bihereket hereket", "ma|mabdi ... bdi"). `|` binds single words, so the joined spelling only counts when
    that piece follows it once more. Each such (joined spelling, piece)."""
    found: list[tuple[str, str]] = []
    for part in pattern.parts:
        for here, after in pairwise(part):
            texts = {word.text for word in here.alternatives}
            found += [
                (a.text + b.text, b.text)
                for a in here.alternatives
                for b in after.alternatives
                if a.kind == "exact" and a.text + b.text in texts
            ]
    return found


def repeated_neighbours(pattern: Pattern) -> list[str]:
    """The other trap of `|`: a phrase listed among single words ("=не =треба|=не =чіпай", "se_=joaca|se_=rade")
    is cut into positions, so the same word stands in two neighbouring ones and the pattern asks for it twice. Each
    word that stands in two neighbouring positions (at most GAP words apart) of which one lists alternatives; a word
    repeated on purpose ("=hilfe =hilfe", "X ... X") is not reported."""
    found: list[str] = []
    for part in pattern.parts:
        for here, after in pairwise(part):
            if after.gap > GAP or (len(here.alternatives) == 1 and len(after.alternatives) == 1):
                continue
            texts = {word.text for word in here.alternatives}
            found += sorted({word.text for word in after.alternatives if word.text in texts})
    return found


def pattern_warnings(locales_dir: Path, languages: Iterable[str]) -> list[Problem]:
    """What `elternlotse check` warns of without failing: patterns that fell into one of the traps of `|`."""
    warnings: list[Problem] = []
    for lang, path in pattern_files(locales_dir, languages).items():
        patterns, _, _ = read_patterns(path, lang)
        lines = path.read_text(encoding="utf-8").splitlines()
        for pattern in patterns:
            messages = [
                f"{pattern.source!r}: {joined!r} stands among single words and {piece!r} must follow it, so it only"
                f" counts as {joined!r} {piece!r}; '|' binds single words: give {joined!r} a pattern of its own"
                for joined, piece in joined_alternatives(pattern)
            ]
            messages += [
                f"{pattern.source!r}: {word!r} stands in two neighbouring positions, so the pattern asks for it twice;"
                " '|' binds single words and '_' binds before '|': a phrase listed among single words is cut into"
                " positions. Give the phrase a pattern of its own"
                for word in repeated_neighbours(pattern)
            ]
            line = next((n for n, text in enumerate(lines, 1) if pattern.source in text), 0)
            warnings += [Problem(str(path), line, lang, message) for message in messages]
    return warnings
