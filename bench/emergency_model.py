"""The emergency model measured on lines it was not trained on: patterns alone against patterns + model.

    .venv/bin/python bench/emergency_model.py [--rounds 14 15 16] [--cases FILE ...]

For each round k named (a blind set in tests/data), trains a model on every labelled file in tests/data but round k
(the same `bot.emergency_learn.train` as `elternlotse learn`) and measures on round k. Each --cases FILE (a set
outside tests/data, such as a new blind author's) is measured with a model trained on all of tests/data. Caveat: the
patterns studied the rounds of tests/data, so "patterns alone" is in-sample there; on a --cases FILE nobody studied,
both columns are honest. Prints rates per language only, never a sentence: a held-out set stays unseen.
Needs scikit-learn (`pip install -e '.[dev]'`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core.emergency import Matcher  # noqa: E402
from bot.core.emergency_file import load_matcher  # noqa: E402
from bot.core.emergency_model import load_model  # noqa: E402
from bot.core.emergency_pattern import pattern_language  # noqa: E402
from bot.emergency_learn import digest, labelled_files, read_lines, train  # noqa: E402

LANGUAGES = ["de", "en", "ar", "tr", "uk", "ru", "ro", "bg", "fa", "ku", "pl", "ckb"]
DATA = ROOT / "tests" / "data"


def model_without(excluded: Path | None, workdir: Path) -> Matcher:
    """The shipped patterns with a model trained on every labelled file but `excluded`."""
    import numpy as np

    paths = [p for p in labelled_files(DATA) if p != excluded]
    arrays = train(read_lines(paths), digest(paths))
    with (workdir / "emergency_model.npz").open("wb") as fh:
        np.savez_compressed(fh, **arrays)
    matcher, problems = load_matcher(ROOT / "locales", LANGUAGES)
    assert not problems, problems
    matcher.model = load_model(workdir)
    return matcher


def measure(name: str, path: Path, matcher: Matcher) -> None:
    model = matcher.model
    rows = read_lines([path])
    print(f"\n{name}: patterns alone | patterns + model")
    print("  (recognised; right category first, among the first two leads shown; false alarms)")
    totals = [[0, 0, 0, 0, 0, 0] for _ in range(2)]
    for lang in sorted({r[0] for r in rows}):
        mine = [r for r in rows if r[0] == lang]
        cells = []
        for column, with_model in enumerate((None, model)):
            matcher.model = with_model
            active = {pattern_language(lang), "de", "en"}
            found = [(category, matcher.detect(text, active)) for _, category, text in mine]
            em = [(c, d) for c, d in found if c != "none"]
            figures = [
                sum(bool(d) for _, d in em),
                sum(bool(d) and d.categories[0].value == c for c, d in em),
                len(em),
                sum(bool(d) for c, d in found if c == "none"),
                len(found) - len(em),
                sum(c in [x.value for x in d.categories[:2]] for c, d in em),
            ]
            totals[column] = [a + b for a, b in zip(totals[column], figures, strict=True)]
            cells.append(_cell(figures))
        print(f"  {lang:8} {cells[0]} | {cells[1]}")
    print(f"  {'all':8} {_cell(totals[0])} | {_cell(totals[1])}")
    matcher.model = model


def _cell(f: list[int]) -> str:
    kinds = f"{f[1] / max(f[2], 1):6.1%} {f[5] / max(f[2], 1):6.1%}"
    return f"{f[0] / max(f[2], 1):6.1%} {kinds} {f[3]:3}/{f[4]:<3} ({f[3] / max(f[4], 1):5.1%})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, nargs="*", default=[14], help="rounds of tests/data to leave out")
    parser.add_argument("--cases", type=Path, nargs="*", default=[], help="sets outside tests/data")
    args = parser.parse_args()
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for k in args.rounds:
            held = DATA / f"emergency_blind_round{k}.tsv"
            measure(f"round {k} (left out of training)", held, model_without(held, Path(tmp)))
        if args.cases:
            matcher = model_without(None, Path(tmp))
            for path in args.cases:
                measure(f"{path.name} (outside tests/data)", path, matcher)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
