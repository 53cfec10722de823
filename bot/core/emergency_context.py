"""The context layer of emergency recognition: words around a recognised emergency that say it is not one now.

The words live in each language's `emergency.yaml` under `context:` (the office and translators keep them); what
each kind of context may do is fixed here, because a missed emergency is worse than a false alarm:

- `past` (a date long ago: "letztes Jahr", "two years ago", "as a child"; not "then" or "before", which also
  tell a story happening now): quiets a fire, a medical emergency or a child in danger in the same sentence.
  Never violence, suicide, abuse or homelessness: those go on, and their numbers still help.
- `over` (it is over: "jetzt ist alles wieder gut", "the fever is down now"): quiets a medical emergency written
  BEFORE it, unless a negation stands in it or right before it ("es geht ihm jetzt nicht gut"). Not a fire or a
  missing child: "everyone is fine" is often said of the others while the flat still burns.
- `out` (a fire put out: "we put it out", "потушили", "gelöscht"): quiets a fire written BEFORE it, unless a
  negation stands in it or right before it ("we could not put it out"). Never anything else: "the fire is out but
  he is unconscious" is still a medical emergency.
- `question` (a hypothetical question: "was mache ich, falls", "what do I do if"; "if", not "when"): quiets a fire,
  a medical emergency, a child in danger or homelessness that stands AFTER it in the same sentence ("toddler ate a
  tablet, what do I do" counts).
- `pretend` (a dream, children playing firefighters, a film or a book): quiets a fire, a medical emergency, a child
  in danger or violence in the same sentence ("in the film a man beats his wife", "I dreamt he hit me"). Never
  suicide or abuse. A pretend word must say that the violence itself is play or a story ("when they play", "in the
  film"), never only that a game was on ("he hit me during the game"): "game" alone is no pretend word.
- `mention` (the emergency word is a topic: prevention, a course, a training, a certificate): quiets any kind when
  it touches a word of the emergency (the same word, or the next one: "Suizidprävention", "police certificate").
- `negation` ("nicht", "not", "nie"): quiets violence, a fire or a child in danger when it stands between two
  words of the emergency at most two words apart ("er hat mich nicht geschlagen"), and only if the pattern holds
  no negation of its own (in "the baby is not breathing", "he won't let me leave" the NOT is the emergency). Not
  right before the first word: commas do not end a sentence, and "ich weiß nicht, er schlägt mich", "nie zabijaj
  mnie" (don't kill me) are emergencies. Never suicide ("ich will nicht mehr leben"), a medical emergency, abuse
  or homelessness ("kein Dach über dem Kopf").
- `never` ("never", "nobody", "niemals"): like `negation`, and also right before the emergency's first word
  ("he never hit me", "nobody hurts us"): these words neither end a clause nor make a plea. A pattern that holds
  a negation or a never of its own is quieted by neither ("nigdy jej nie zobaczę": never see her again).
- `keep` (present danger: "Hilfe", "sofort", "again", "not only"): anywhere in the message, nothing is quieted.

A negation only speaks for patterns of its own language ("ne", "nie" mean other things elsewhere); the other kinds
speak for every language's patterns (a German pattern may find "suicide" in an English line). Context words forgive
no wrong letter (only a slip in a long word, like exclusions); in a Cyrillic language they match Latin letters
only with one word of four letters or more ("v proshlom godu", never a bare "ne").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise


class Category(StrEnum):
    """What kind of emergency; the order is the order of urgency on the screen (the first two leads are shown).

    A cause comes before the harm it does: a fire, an attacker or self-harm before the injury it leaves ("er hat mich
    gewürgt, ich kriege kaum Luft", "hab grad alle Tabletten geschluckt", "Rauch im Kinderzimmer, der Kleine hustet").
    Their leads name 112 too, and the medical lead (112, about a child) follows as the second. Measured on the studied
    sets (emergency_cases and rounds 2-12, 6,651 recognised emergencies): the first category is the author's in 6,436
    lines instead of 6,282 with medical first; 12 medical lines now lead with their cause."""

    FIRE = "fire"
    VIOLENCE = "violence"
    SUICIDE = "suicide"
    MEDICAL = "medical"
    SEXUAL_ABUSE = "sexual_abuse"
    CHILD_DANGER = "child_danger"
    HOMELESS = "homeless"


class Context(StrEnum):
    """A kind of context; what it may quiet is QUIETS, where it must stand is `quieted`."""

    PAST = "past"
    OVER = "over"
    OUT = "out"
    QUESTION = "question"
    PRETEND = "pretend"
    MENTION = "mention"
    NEGATION = "negation"
    NEVER = "never"
    KEEP = "keep"


_EVENTS = frozenset({Category.FIRE, Category.MEDICAL, Category.CHILD_DANGER})
QUIETS: dict[Context, frozenset[Category]] = {
    Context.PAST: _EVENTS,
    Context.OVER: frozenset({Category.MEDICAL}),
    Context.OUT: frozenset({Category.FIRE}),
    Context.QUESTION: _EVENTS | {Category.HOMELESS},
    Context.PRETEND: _EVENTS | {Category.VIOLENCE},
    Context.MENTION: frozenset(Category),
    Context.NEGATION: frozenset({Category.VIOLENCE, Category.FIRE, Category.CHILD_DANGER}),
    Context.NEVER: frozenset({Category.VIOLENCE, Category.FIRE, Category.CHILD_DANGER}),
    Context.KEEP: frozenset(),
}
MENTION_REACH = 1  # a topic word touches the emergency: the same word or the next one
NEGATION_REACH = 3  # a negation between two words of the emergency at most this far apart (two words between)


@dataclass(frozen=True)
class Found:
    """Where the context patterns of one language matched in a message: token positions, per kind."""

    spans: dict[Context, list[tuple[int, ...]]]

    def of(self, kind: Context) -> list[tuple[int, ...]]:
        return self.spans.get(kind, [])


def quieted(category: Category, span: Sequence[int], found: Found, sentence_of: Sequence[int]) -> bool:
    """Whether the context says this match (token positions `span`, sorted) is not an emergency now."""
    if found.of(Context.KEEP):
        return False
    first, last = span[0], span[-1]
    sentence = sentence_of[first]
    inside = set(span)

    # A pattern that holds a negation or a never of its own is turned round by neither ("już nigdy jej nie
    # zobaczę", "he will never let me see her again"): the negation is the emergency.
    own = {p for kind in (Context.NEGATION, Context.NEVER) for s in found.of(kind) for p in s} & inside
    for kind in QUIETS:
        if own and kind in (Context.NEGATION, Context.NEVER):
            continue
        if category in QUIETS[kind] and _applies(kind, found.of(kind), first, last, inside, sentence, sentence_of):
            return True
    # Homelessness and violence go on after a date long ago ("last year we lost the flat", "last year he hit me": the
    # numbers still help), unless the story ended well ("years ago my ex beat me, now we live apart and all is well").
    return (
        category in (Category.HOMELESS, Category.VIOLENCE)
        and _applies(Context.PAST, found.of(Context.PAST), first, last, inside, sentence, sentence_of)
        and _applies(Context.OVER, found.of(Context.OVER), first, last, inside, sentence, sentence_of)
    )


def _applies(
    kind: Context,
    spans: list[tuple[int, ...]],
    first: int,
    last: int,
    inside: set[int],
    sentence: int,
    sentence_of: Sequence[int],
) -> bool:
    """Whether context spans of one kind stand where that kind speaks for the match first..last."""
    if kind in (Context.PAST, Context.PRETEND):
        return any(sentence_of[s[0]] == sentence for s in spans)
    if kind in (Context.OVER, Context.OUT):
        return any(s[0] > last for s in spans)
    if kind == Context.QUESTION:
        return any(s[0] < first and sentence_of[s[0]] == sentence for s in spans)
    if kind == Context.MENTION:
        return any(abs(p - q) <= MENTION_REACH for s in spans for p in s for q in inside)
    if kind in (Context.NEGATION, Context.NEVER):
        return _negated(spans, sorted(inside), before=kind == Context.NEVER)
    return False


def _negated(negations: list[tuple[int, ...]], span: list[int], before: bool) -> bool:
    """A negation between two neighbouring words of the match (at most two words apart: "he did not hit", not a
    "not" in a clause between the parts of "alone ... + can't get back"), or, with `before`, right before its first
    word; never when the match holds a negation of its own."""
    words = {p for s in negations for p in s}
    if words & set(span):  # the pattern holds a negation: "atmet nicht", "won't let me leave"
        return False
    if before and span[0] - 1 in words:
        return True
    return any(b - a <= NEGATION_REACH and any(a < p < b for p in words) for a, b in pairwise(span))


def affirmed(spans: list[tuple[int, ...]], negations: set[int]) -> list[tuple[int, ...]]:
    """The `over` and `out` spans that no negation turns round: "jetzt geht es ihm (nicht) gut", "(nie) czuje sie
    dobrze", "(не можем) потушить"."""
    return [s for s in spans if not any(s[0] - 1 <= p <= s[-1] and p not in s for p in negations)]
