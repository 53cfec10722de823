"""Right to left done by the code: left-to-right runs inside Arabic, Persian or Sorani text are isolated. Pure.

In a right-to-left paragraph the Unicode bidi algorithm gives the space between two digit groups the paragraph's
direction, so "116 016" shows as "016 116", and a time, a reference (R-2026-0001) or a Latin name next to
punctuation can swap places with it. Wrapping every such run in FSI … PDI (U+2068 … U+2069) keeps it in its own
order wherever it stands. Translators need not do this; `shape` does it for every text produced for a
right-to-left language, wherever the text came from (a catalog, a placeholder, the office's data).

What is one run: letters of a left-to-right script and digits of any script, joined by what joins them inside a
number, a time, a date, a reference, an address or a name (a space, - – + / ( ) and . , : not followed by a
space). Sentence punctuation stays outside, so "… 116 016." ends with the full stop where a reader expects it, and
a numbered option "1. …" reads "1." from the right. Text already inside an isolate is left alone: `shape` is
idempotent, and catalogs that still carry a translator's own isolates work as before.
"""

from __future__ import annotations

import functools
import re
import unicodedata

FSI, LRI, RLI, PDI = "\u2068", "\u2066", "\u2067", "\u2069"
_OPENERS = frozenset((FSI, LRI, RLI))
_RUNNERS = frozenset(("L", "EN", "AN"))  # left-to-right letters, European and Arabic digits
_NOT_RUNNERS = frozenset("\u200e")  # LRM is class L, but it is a mark, not a word
_SPACES = frozenset(" \u00a0\u202f\u2009")
_INNER = frozenset("-\u2010\u2011\u2013+/&'’_@")  # join two runs wherever they stand (R-2026-0001, 9–17)
_TIGHT = frozenset(".,:;")  # join only when no space follows (10:00, 30.11.2026, bochum.de)
_PLACEHOLDER = re.compile(r"\{\w*\}")
_LEADERS = frozenset("+/@#")  # start a run just before one: +49 …, /delete (a bot command stays whole)


def is_rtl_text(text: str) -> bool:
    """Whether the text holds a right-to-left letter (Arabic, Hebrew, Syriac, Thaana, N'Ko …)."""
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


def isolate(value: str) -> str:
    """Wrap a value in FSI … PDI (once: an already isolated value stays as it is)."""
    if value.startswith(FSI) and _isolate_end(value, 0) == len(value) and value.endswith(PDI):
        return value
    return f"{FSI}{value}{PDI}"


def isolate_value(value: str) -> str:
    """A placeholder's value inside right-to-left text: a left-to-right value on one line is isolated whole;
    anything else (right-to-left words, several lines) is left to `shape`, which isolates its runs."""
    if not value or "\n" in value or is_rtl_text(value) or not any(_runner(ch) for ch in value):
        return value
    return isolate(value)


def shape(text: str) -> str:
    """Isolate every left-to-right run of text meant for a right-to-left paragraph. Idempotent."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in _OPENERS:
            end = _isolate_end(text, i)
            out.append(text[i:end])
            i = end
            continue
        placeholder = _PLACEHOLDER.match(text, i) if ch == "{" else None
        if placeholder:  # a text still to be formatted keeps its {names} as they are
            out.append(placeholder.group())
            i = placeholder.end()
            continue
        start = i
        if _runner(ch) or (ch in _LEADERS and i + 1 < n and _runner(text[i + 1]) and _word_start(text, i)):
            end = _run_end(text, i + 1)
            out.append(isolate(text[start:end]))
            i = end
            continue
        out.append(ch)
        i += 1
    return "".join(out)


@functools.lru_cache(maxsize=8192)  # a reply is a few hundred characters of a few dozen kinds
def _runner(ch: str) -> bool:
    """A letter or digit of left-to-right text (not a symbol such as 🆘, which is class L too)."""
    return ch not in _NOT_RUNNERS and unicodedata.bidirectional(ch) in _RUNNERS and unicodedata.category(ch)[0] in "LN"


def _word_start(text: str, i: int) -> bool:
    return i == 0 or not (_runner(text[i - 1]) or text[i - 1] in _INNER)


def _isolate_end(text: str, i: int) -> int:
    """The index after the PDI that closes the isolate opened at i (or the end of its line, as in the algorithm)."""
    depth = 0
    for j in range(i, len(text)):
        ch = text[j]
        if ch in _OPENERS:
            depth += 1
        elif ch == PDI:
            depth -= 1
            if depth == 0:
                return j + 1
        elif ch == "\n":
            return j
    return len(text)


def _run_end(text: str, i: int) -> int:
    """Where the run that started before i ends: the last runner reached through joiners, with its brackets."""
    n, end = len(text), i
    opened: list[int] = []  # positions of "(" inside the run, not yet closed
    j = i
    while j < n:
        ch = text[j]
        if _runner(ch) or unicodedata.category(ch) == "Mn":  # a combining accent stays with its letter
            j += 1
            end = j
            continue
        if ch == ")" and opened:
            opened.pop()
            j += 1
            end = j
            continue
        if ch == "%" and _runner(text[j - 1]):
            j += 1
            end = j
            continue
        # joiners: they belong to the run only if another runner follows them
        k = j
        while k < n and (text[k] in _SPACES or text[k] in _INNER or text[k] == "(" or _tight(text, k)):
            k += 1
        if k == j or k >= n or not _runner(text[k]):
            break
        opened += [p for p in range(j, k) if text[p] == "("]
        j = k
    if opened:  # a bracket opened inside the run but closed outside it: the run ends before it
        end = opened[0]
        while end > i and (text[end - 1] in _SPACES or text[end - 1] in _INNER):
            end -= 1
    return end


def _tight(text: str, k: int) -> bool:
    return text[k] in _TIGHT and k + 1 < len(text) and _runner(text[k + 1])
