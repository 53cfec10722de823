"""The funnel of dialog steps without a family in it: how many conversations reached a step and how many stopped
there, rounded, and the sums a reader who knows the dialog files can form from them.

A conversation that reached a step and did not stop there reached one of the steps that follow it in the dialog
files, so along a path reached(step) = reached(next) + stopped(step); where paths fork and join, the steps of one
crossing add up together. Exact counts would give away every family that stopped ("7 reached, 6 went on": 1).
So "reached" is rounded to the nearest multiple of 5, and so is what went on; "stopped" is the difference of the two
rounded counts. It tells nothing the rounded counts do not, and the rounded counts add up along each path as the
true ones do (rounding each count on its own would not: 11 and 10 reached, 1 stopped would read 10, 10 and 0, and
combined with the next steps' ranges such figures pin counts down). protect() then audits every such sum that holds
for the quarter, with the requests and emergency screens by language beside them, and withholds more where a count
of 1 to 4 could still be pinned down. The share that stopped is computed from the rounded counts too.
"""

from __future__ import annotations

from collections.abc import Hashable

from bot.core.dialogs import Content
from bot.report.suppress import Approx, Mark, Sum
from bot.report.tables import Cell, Table

BASE = 5  # counts are shown as the nearest multiple of BASE: 0 (0-2), 5 (3-7), 10 (8-12) ...
SHARE_FROM = 10  # a share of rounded counts is worth showing from this many reached
PASS_THROUGH = frozenset({"message", "hours", "goto", "subscribe", "handoff"})  # never waits: never counted
SLUG = "dialogschritte"
REACHED, LEFT = 2, 3  # the funnel table's count columns


def following_steps(content: Content) -> dict[str, tuple[str, ...]]:
    """Every step a conversation waits at, with the waiting steps the dialog files lead on to from there (through
    messages, and past a question already answered)."""

    def landing(qid: str | None, seen: frozenset[str]) -> list[str]:
        node = content.node(qid)
        if node is None or node.id in seen:
            return []
        seen = seen | {node.id}
        if node.type in PASS_THROUGH:
            return landing(node.next, seen)
        found = [node.id]
        if node.type == "ask" and node.skip_if_set:
            found += landing(node.next, seen)
        return found

    return {
        node.id: tuple(dict.fromkeys(step for target in node.targets() for step in landing(target, frozenset())))
        for node in content.all_nodes()
        if node.type not in PASS_THROUGH
    }


def crossings(following: dict[str, tuple[str, ...]]) -> list[tuple[frozenset[str], frozenset[str]]]:
    """(from, to): what went on from the steps of `from` reached the steps of `to`, as far as the dialog files go.
    Each step with its following steps, each step with the steps before it, and each crossing of forking and joining
    paths as a whole."""
    before: dict[str, set[str]] = {}
    for step, nexts in following.items():
        for n in nexts:
            before.setdefault(n, set()).add(step)
    found = {(frozenset({step}), frozenset(nexts)) for step, nexts in following.items()}
    found |= {(frozenset(steps), frozenset({step})) for step, steps in before.items()}
    seen: set[str] = set()
    for start in following:
        if start in seen or not following[start]:
            continue
        froms, tos, todo = {start}, set(following[start]), list(following[start])
        while todo:  # the connected crossing: steps leading into the same steps belong together
            for step in before.get(todo.pop(), ()):
                if step not in froms:
                    froms.add(step)
                    todo += [n for n in following[step] if n not in tos]
                    tos.update(following[step])
        seen |= froms
        found.add((frozenset(froms), frozenset(tos)))
    return sorted(found, key=lambda c: (sorted(c[0]), sorted(c[1])))


def rounded(n: int) -> int:
    """The nearest multiple of BASE (no count is halfway between two)."""
    return BASE * ((n + BASE // 2) // BASE)


def shown_counts(reached: int, left: int) -> tuple[int, int]:
    """(reached, stopped there) as the funnel shows them: reached rounded, and the rounded count of those who went on
    taken from it."""
    return rounded(reached), rounded(reached) - rounded(reached - left)


def share(reached: Cell | Mark, left: Cell | Mark) -> str:
    """The share that stopped, from the counts as shown; "–" where they are hidden or too few."""
    if isinstance(reached, Mark) or isinstance(left, Mark) or not isinstance(reached, int):
        return "–"
    if not isinstance(left, int) or reached < SHARE_FROM:
        return "–"
    return f"{left / reached:.0%}".replace("%", " %")


def ref(row: str, column: int) -> tuple[str, str, int]:
    return (SLUG, row, column)


def audit_sums(table: Table, following: dict[str, tuple[str, ...]], values: dict[Hashable, int]) -> tuple[
        list[Sum], Approx, set[Hashable]]:  # fmt: skip
    """The funnel's sums that hold for this quarter, by language; the range a reader knows each count in; and the
    counts no table shows (what went on from a step, the totals of crossings), which it adds to values."""
    approx: Approx = {}
    unseen: set[Hashable] = set()
    languages: dict[str, set[str]] = {}
    sums: list[Sum] = []
    half = BASE // 2
    for row in table.rows:
        node, language = str(row[0]), str(row[1])
        languages.setdefault(language, set()).add(node)
        reached, left, onward = ref(f"{node}|{language}", REACHED), ref(f"{node}|{language}", LEFT), (
            "~onward", node, language)  # fmt: skip
        values[onward] = values[reached] - values[left]
        shown, stopped = shown_counts(values[reached], values[left])
        approx[reached] = (max(1, shown - half), shown + half)  # the row is there: someone reached the step
        approx[onward] = (max(0, shown - stopped - half), shown - stopped + half)
        approx[left] = (max(0, stopped - 2 * half), stopped + 2 * half)
        unseen.add(onward)
        sums.append(Sum(reached, (left, onward)))
    for i, (froms, tos) in enumerate(crossings(following)):
        for language, nodes in languages.items():

            def cell(node: str, column: int, language: str = language) -> tuple[str, str, int]:
                return ref(f"{node}|{language}", column)

            # sum over froms of (reached - left) = sum over tos of reached; a step on both sides cancels out
            lhs = [cell(n, REACHED) for n in sorted(froms - tos) if n in nodes]
            rhs = [cell(n, LEFT) for n in sorted(froms) if n in nodes]
            rhs += [cell(n, REACHED) for n in sorted(tos - froms) if n in nodes]
            if not lhs or sum(values[c] for c in lhs) != sum(values[c] for c in rhs):
                continue  # a sum that does not hold (someone went back, or came by a command) tells a reader nothing
            if len(lhs) == 1:
                sums.append(Sum(lhs[0], tuple(rhs)))
                continue
            total = ("~crossing", i, language)
            values[total] = sum(values[c] for c in lhs)
            approx[total] = (0, float("inf"))
            unseen.add(total)
            sums += [Sum(total, tuple(lhs)), Sum(total, tuple(rhs))]
    return sums, approx, unseen
