"""Recognising an emergency in typed text. Pure: patterns come in as data, nothing is read or sent.

The language of the patterns that the office and translators write is described in bot.core.emergency_pattern.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.core.emergency_context import Category as Category
from bot.core.emergency_context import Context as Context
from bot.core.emergency_context import Found, affirmed, quieted
from bot.core.emergency_latin import (
    CYRILLIC_LANGUAGES,
    in_latin,
    latin_exclusion_holds,
    plausible,
    romanized,
)
from bot.core.emergency_model import ALARM, ALARM_WORDS, VETO, VETO_WORDS, Model
from bot.core.emergency_pattern import Pattern, Slot
from bot.core.emergency_words import WordIndex
from bot.core.folding import (
    OWN_LETTERS,
    joined_heh,
    laughs,
    tokenize,
)
from bot.core.folding import fold as fold
from bot.core.folding import words as words

PRIORITY = {category: index for index, category in enumerate(Category)}
HEH_SPLIT_LANGUAGE = "ckb"  # typed on Arabic keyboards with ه + space for ە (bot.core.folding.joined_heh)
WINDOW = 12  # a run-on line ("sister is 15 and dad is sending her ... to marry") spreads a threat wide
CRY_WORDS = 5  # a cry ("Hilfe, bitte, schnell!") has at most this many different words
# Learners and people in panic write in very short sentences ("Papa schlägt Mama. Ich habe Angst."), often after a
# longer first one that says who and where ("Mein Mann fährt Auto mit Kinder. Er ist betrunken."): a sentence of at
# most this many words is read as one with its neighbours, whatever their length (the parts of a pattern stay within
# WINDOW words), so the parts of a pattern meet across their full stops. Measured on the blind rounds 2-9 and the
# everyday lines: joining only when both sentences are short missed 6 such lines; a limit of 6 or more words on both
# sides found fewer of them and raised a false alarm.
SHORT_SENTENCE = 5


def short_sentences_joined(sentence_of: list[int], most: int = SHORT_SENTENCE, both: bool = False) -> list[int]:
    """Sentence numbers with each short sentence (at most `most` words) made one sentence with its neighbours; with
    `both`, only with neighbours that are short too (how far context reaches: "Letztes Jahr hatten wir einen kleinen
    Brand in der Küche. Es brennt im Keller!" is a fire now)."""
    sizes: dict[int, int] = {}
    for number in sentence_of:
        sizes[number] = sizes.get(number, 0) + 1
    merged: dict[int, int] = {}
    previous: int | None = None
    for number in sorted(sizes):
        short = (sizes[number] <= most, previous is not None and sizes[previous] <= most)
        if previous is not None and (all(short) if both else any(short)):
            merged[number] = merged[previous]
        else:
            merged[number] = number
        previous = number
    return [merged[number] for number in sentence_of]


# --- the matcher ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Detection:
    """What was recognised: categories by urgency, and the languages whose patterns matched, best first."""

    categories: tuple[Category, ...]
    languages: tuple[str, ...]
    cried: bool = False  # a short line of nothing but cries ("Hilfe!!"): no model may silence it

    def __bool__(self) -> bool:
        return bool(self.categories)


NOTHING = Detection((), ())


class Matcher:
    """All languages' patterns, compiled once; `detect` is pure and thread-safe."""

    def __init__(
        self,
        patterns: Iterable[Pattern],
        prefixes: Mapping[str, Iterable[str]] | None = None,
        roman_markers: Mapping[str, Iterable[str]] | None = None,
        model: Model | None = None,
    ) -> None:
        self.patterns = list(patterns)
        self.model = model  # a learned second opinion (bot.core.emergency_model); None: the patterns decide alone
        # Latin words that tell a line is typed for one of ROMANIZED_LANGUAGES ("shoharam", "jozi", "mndalakam").
        self._roman_markers = {lang: frozenset(map(fold, values)) for lang, values in (roman_markers or {}).items()}
        self.languages = sorted({p.language for p in self.patterns})
        self._words = WordIndex(prefixes)
        self._slot_ids: dict[tuple[int, int, int], frozenset[int]] = {}
        self._first: dict[int, list[int]] = {}  # word id -> patterns whose first slot may be it
        self._needs: dict[int, tuple[frozenset[int], ...]] = {}  # pattern -> its slots' word ids, rarest first
        self._cries: dict[str, dict[int, Category | None]] = {}  # language -> word id -> its category (None: `with`)
        for index, pattern in enumerate(self.patterns):
            if pattern.alone:
                cries = self._cries.setdefault(pattern.language, {})
                for word in pattern.parts[0][0].alternatives:
                    cries[self._words.word_id(pattern.language, word)] = pattern.category
                continue
            for p, part in enumerate(pattern.parts):
                for s, slot in enumerate(part):
                    ids = frozenset(self._words.word_id(pattern.language, word) for word in slot.alternatives)
                    self._slot_ids[(index, p, s)] = ids
                    if p == 0 and s == 0:
                        for wid in ids:
                            self._first.setdefault(wid, []).append(index)
            slots = {self._slot_ids[(index, p, s)] for p, part in enumerate(pattern.parts) for s in range(len(part))}
            self._needs[index] = tuple(sorted(slots, key=len))
        self._words.finish()

    def detect(self, text: str, languages: Iterable[str] | None = None, *, learned: bool = True) -> Detection:
        """Categories recognised in text, using the patterns of `languages` (all when None), and the model unless
        `learned` is False (the office's patterns alone: for the bot's own words, such as a label typed)."""
        return self._decide(text, languages, None, learned)

    def explain(self, text: str, languages: Iterable[str] | None = None) -> tuple[Detection, list[str]]:
        """What `detect` finds, and why: each exclusion, context, match and quieted match as a line, naming its
        language, its pattern as written in the file and the (folded) words it covered; then the model's view.
        For `elternlotse why`."""
        trace: list[str] = []
        return self._decide(text, languages, trace), trace

    def _decide(
        self, text: str, languages: Iterable[str] | None, trace: list[str] | None, learned: bool = True
    ) -> Detection:
        active = None if languages is None else set(languages)
        view = None if self.model is None or not learned else self.model.judge(text, kinds=trace is not None)
        if view is not None and trace is not None:
            trace.append(
                f"model: emergency {view.probability:.2f} in {view.words} words (alarm from {ALARM} and"
                f" {ALARM_WORDS} words; a match silenced below {VETO} from {VETO_WORDS} words),"
                f" most like {', '.join(c.value for c in view.categories)}"
            )
        if view is not None and view.veto and trace is None and len(set(words(text))) > CRY_WORDS:
            return NOTHING  # whatever the patterns find in it, the model silences: it is no cry
        found = self._detect(text, active, trace)
        joined = None if found or not (active is None or HEH_SPLIT_LANGUAGE in active) else joined_heh(text)
        if joined is not None:
            # Sorani typed with ه + space inside words: a second look, with the words joined, for Sorani only.
            if trace is not None:
                trace.append(f"read again with ه joined to its word: {joined!r}")
            found = self._detect(joined, {HEH_SPLIT_LANGUAGE}, trace)
        if view is None or (found and found.cried):
            return found
        if found:
            if view.veto:
                return NOTHING
            if not view.leads:
                return found  # a short line, or one the model takes for no emergency: its kind means little
            return self._led_by_the_model(found, view.categories[0], trace)
        if view.alarm and not laughs(text):
            # Its two likeliest kinds: the screen shows the first two leads, and the second is right where the first
            # is not in most of the lines it recognises (bench/emergency_model.py).
            return Detection(view.categories, ())
        return found

    @staticmethod
    def _led_by_the_model(found: Detection, likeliest: Category, trace: list[str] | None) -> Detection:
        """The patterns' kinds led by the one the model finds likeliest: first where the patterns found it too,
        else second (the screen shows the first two leads). With each of rounds 20-25 left out of training, the
        right kind came first in 0.5-3.0 points more of the recognised lines, among the two leads in 0.4-3.3 points
        more (session 10; the same from LEAD as always); urgency alone put violence before the homelessness or abuse
        a line was about."""
        rest = [category for category in found.categories if category != likeliest]
        led = (likeliest, *rest) if likeliest in found.categories else (*found.categories[:1], likeliest, *rest[1:])
        if trace is not None and led != found.categories:
            trace.append(f"kinds led by the model's likeliest, {likeliest.value}")
        return Detection(led, found.languages, found.cried)

    def _detect(self, text: str, active: set[str] | None, trace: list[str] | None = None) -> Detection:
        folded, own_sentence = tokenize(text)
        # The words of one part stay in their own sentence; the parts of a pattern (and its context) may meet across
        # the stops of neighbouring short sentences.
        sentence_of = short_sentences_joined(own_sentence)
        # Context and exclusions reach over a stop only between short sentences: a date long ago in a long first
        # sentence does not quiet the fire of a short second one.
        context_sentence = short_sentences_joined(own_sentence, both=True)
        roman = romanized(folded, active, self._roman_markers)
        tokens = [self._words.ids(token, roman) for token in folded]
        if not tokens:
            return NOTHING
        cried = self._cry(tokens, folded, active)
        candidates = sorted({i for ids in tokens for wid in ids for i in self._first.get(wid, ())})
        candidates = [i for i in candidates if active is None or self.patterns[i].language in active]
        candidates = self._possible(candidates, tokens)
        # Exclusions and contexts are matched on the text as written, then every exclusion removes the words it
        # matched (not the words between them): one exclusion does not use up a word another one needs.
        excluded: set[int] = set()
        transliterated: set[int] = set()  # Latin words a Cyrillic exclusion matched: they lose their Cyrillic meanings
        context: dict[str, dict[Context, list[tuple[int, ...]]]] = {}
        for index in candidates:
            pattern = self.patterns[index]
            if pattern.category is not None:
                continue
            for positions in self._spans(index, tokens, own_sentence, context_sentence):
                if not plausible(pattern, positions, folded):
                    continue
                if pattern.context is None and in_latin(pattern, positions, folded):
                    if latin_exclusion_holds(positions, folded):
                        transliterated.update(positions)
                elif pattern.context is None:
                    excluded.update(positions)
                else:
                    context.setdefault(pattern.language, {}).setdefault(pattern.context, []).append(positions)
                if trace is not None:
                    kind = f"context {pattern.context.value}" if pattern.context else "exclude"
                    trace.append(_traced(kind, pattern, positions, folded))
        for position in excluded:
            tokens[position] = frozenset()
        # "pechkata gori hubavo" is the stove of a Bulgarian exclusion typed in Latin letters; the same Latin word may
        # Polish or Kurdish ("gori"), whose patterns keep it.
        language_of = self._words.language_of
        for position in transliterated - excluded:
            tokens[position] = frozenset(wid for wid in tokens[position] if language_of[wid] not in CYRILLIC_LANGUAGES)
        excluded |= transliterated
        # A context speaks for the emergency words of every language (a German pattern may find "suicide" in an English
        # line), except a negation: short words ("ne", "nie") mean other things in other languages.
        shared: dict[Context, list[tuple[int, ...]]] = {}
        for spans in context.values():
            negations = {p for kind in (Context.NEGATION, Context.NEVER) for s in spans.get(kind, []) for p in s}
            for kind, found_spans in spans.items():
                found_spans = affirmed(found_spans, negations) if kind in (Context.OVER, Context.OUT) else found_spans
                shared.setdefault(kind, []).extend(found_spans)
        hits: dict[Category, int] = {}
        covered: dict[Category, list[frozenset[int]]] = {}  # the words each category's matches stand on
        by_language: dict[str, int] = {}
        if excluded:
            candidates = self._possible(candidates, tokens)
        for index in candidates:
            pattern = self.patterns[index]
            if pattern.category is None:
                continue
            mine = context.get(pattern.language, {})
            found = Found({**shared, **{kind: mine.get(kind, []) for kind in (Context.NEGATION, Context.NEVER)}})
            if trace is not None:
                for positions in self._spans(index, tokens, own_sentence, sentence_of):
                    if plausible(pattern, positions, folded):
                        still = quieted(pattern.category, positions, found, context_sentence)
                        trace.append(_traced("quieted" if still else "match", pattern, positions, folded))
            live = [
                frozenset(positions)
                for positions in self._spans(index, tokens, own_sentence, sentence_of)
                if plausible(pattern, positions, folded)
                and not quieted(pattern.category, positions, found, context_sentence)
            ]
            if live:
                hits[pattern.category] = hits.get(pattern.category, 0) + 1
                by_language[pattern.language] = by_language.get(pattern.language, 0) + 1
                covered.setdefault(pattern.category, []).extend(live)
        for language, category in cried:
            covered.setdefault(category, []).append(frozenset())  # a cry is the whole line: never inside another
            hits[category] = hits.get(category, 0) + 1
            by_language[language] = by_language.get(language, 0) + 1
            if trace is not None:
                trace.append(f"cry [{language}] {category.value}: the line is made of nothing but cries")
        # A line that laughs is a joke or an idiom, unless it also says the danger is present ("again", "help").
        if not hits or (not shared.get(Context.KEEP) and laughs(text)):
            if hits and trace is not None:
                trace.append("the line laughs (a joke or an idiom) and no `keep` word says the danger is present")
            return NOTHING
        # A category found only inside a longer match of another follows it: "я убью себя" (I'll kill myself) is
        # suicide first, though "убью" alone is a threat of violence, which comes first by urgency otherwise.
        inside = {category for category, spans in covered.items() if _inside_others(category, spans, covered)}
        categories = tuple(sorted(hits, key=lambda category: (category in inside, PRIORITY[category])))
        lowered = text.casefold()
        own = {lang: sum(lowered.count(ch) for ch in OWN_LETTERS.get(lang, "")) for lang in by_language}
        languages_found = tuple(sorted(by_language, key=lambda lang: (-own[lang], -by_language[lang], lang)))
        return Detection(categories, languages_found, cried=bool(cried))

    def _possible(self, candidates: list[int], tokens: list[frozenset[int]]) -> list[int]:
        """The candidates every slot of which has a word in the line: only they can match (a cheap look first)."""
        present: set[int] = set().union(*tokens)
        return [i for i in candidates if not any(map(present.isdisjoint, self._needs[i]))]

    def _cry(
        self, tokens: list[frozenset[int]], folded: list[str], active: set[str] | None
    ) -> list[tuple[str, Category]]:
        """A short message made only of one language's cries ("Hilfe!!", "SOS", "Polizei bitte"): their categories.

        "Ich brauche Hilfe beim Antrag" is no cry: a word that is neither a cry nor one of its `with` words is in it.
        """
        if len(set(folded)) > CRY_WORDS:
            return []
        found: list[tuple[str, Category]] = []
        for language, cries in self._cries.items():
            if active is not None and language not in active:
                continue
            kinds: set[Category | None] = set()
            for ids in tokens:
                token_kinds = {cries[wid] for wid in ids if wid in cries}
                if not token_kinds:
                    break
                kinds |= token_kinds
            else:
                found += [(language, category) for category in kinds if category is not None]
        return found

    def _spans(
        self, index: int, tokens: list[frozenset[int]], sentence_of: list[int], joined: list[int]
    ) -> Iterable[tuple[int, ...]]:
        """The token positions of each place where the pattern matches: each part within one sentence, the parts
        within one sentence of `joined` (neighbouring short sentences read as one)."""
        pattern = self.patterns[index]
        if len(pattern.parts) == 1:
            yield from self._part_spans(index, 0, tokens, sentence_of)
            return
        first = list(self._part_spans(index, 0, tokens, sentence_of))
        if not first:
            return
        rest: list[list[tuple[int, ...]]] = []
        for p in range(1, len(pattern.parts)):
            spans = list(self._part_spans(index, p, tokens, sentence_of))
            if not spans:
                return  # a part that matches nowhere: the pattern cannot match
            rest.append(spans)
        for positions in first:
            chosen = list(positions)
            for spans in rest:
                near = [
                    s
                    for s in spans
                    if min(abs(a - b) for a in s for b in chosen) <= WINDOW
                    and joined[s[0]] == joined[positions[0]]
                    and not set(s) & set(chosen)  # two parts never share a word
                ]
                if not near:
                    break
                chosen += near[0]
            else:
                yield tuple(sorted(chosen))

    def _part_spans(
        self, index: int, p: int, tokens: list[frozenset[int]], sentence_of: list[int]
    ) -> Iterable[tuple[int, ...]]:
        slots = self.patterns[index].parts[p]
        first = self._slot_ids[(index, p, 0)]
        for start, ids in enumerate(tokens):
            if ids & first:
                rest = self._follow(index, p, 1, start, tokens, slots, sentence_of)
                if rest is not None:
                    yield (start, *rest)

    def _follow(
        self,
        index: int,
        p: int,
        s: int,
        at: int,
        tokens: list[frozenset[int]],
        slots: tuple[Slot, ...],
        sentence_of: list[int],
    ) -> tuple[int, ...] | None:
        if s == len(slots):
            return ()
        wanted = self._slot_ids[(index, p, s)]
        for position in range(at + 1, min(len(tokens), at + 2 + slots[s].gap)):
            if sentence_of[position] != sentence_of[at]:
                break
            if tokens[position] & wanted:
                rest = self._follow(index, p, s + 1, position, tokens, slots, sentence_of)
                if rest is not None:
                    return (position, *rest)
        return None


def _inside_others(
    category: Category, spans: list[frozenset[int]], covered: dict[Category, list[frozenset[int]]]
) -> bool:
    """Whether every match of category stands on a strict part of the words of another category's match."""
    others = [t for other, ts in covered.items() if other != category for t in ts]
    return all(span and any(span < t for t in others) for span in spans)


def _traced(kind: str, pattern: Pattern, positions: tuple[int, ...], folded: list[str]) -> str:
    what = pattern.category.value if pattern.category else ""
    covered = " ".join(folded[p] for p in positions)
    return f"{kind} {what} [{pattern.language}] {pattern.source!r} on {covered!r}".replace("  ", " ")
