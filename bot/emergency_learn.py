"""`elternlotse learn`: train the emergency model (bot.core.emergency_model) on the labelled lines in tests/data.

Every `*.tsv` there with lines `lang<TAB>category<TAB>sentence` (category `none` for a harmless line) is read: the
project's own set, the blind rounds once they are studied, the everyday lines. Add lines there (no Python needed),
run `elternlotse learn`, commit `locales/emergency_model.npz`; `elternlotse check` fails while the model was trained
on other lines than those in tests/data. Needs scikit-learn (`pip install -e '.[dev]'`); the bot itself does not.
"""

from __future__ import annotations

import csv
import hashlib
import math
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from bot.core.emergency_context import Category
from bot.core.emergency_model import FILENAME, grams

MIN_LINES = 2  # a feature seen in fewer labelled lines is not learned: it would only remember one sentence
STRENGTH = 10.0  # scikit-learn's C: weaker regularisation fitted the rounds held out of training best


def labelled_files(data_dir: Path) -> list[Path]:
    return sorted(data_dir.glob("*.tsv"))


def read_lines(paths: list[Path]) -> list[tuple[str, str, str]]:
    """(language, category, sentence) of every labelled line; comment lines start with #."""
    rows: list[tuple[str, str, str]] = []
    for path in paths:
        with path.open(encoding="utf-8") as fh:
            for row in csv.reader((line for line in fh if not line.startswith("#")), delimiter="\t"):
                if len(row) >= 3:
                    rows.append((row[0], row[1], row[2]))
    return rows


def digest(paths: list[Path]) -> str:
    """What a model was trained on: the names and contents of the labelled files."""
    h = hashlib.sha256()
    for path in paths:
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def vectors(features: list[tuple[list[str], list[str]]], index: dict[str, int], idf: np.ndarray) -> Any:
    """The lines as scikit-learn reads them: per part (character n-grams, words), 1 + log of each count times its
    inverse document frequency, scaled to length 1; a sparse matrix of lines x vocabulary."""
    from scipy.sparse import csr_matrix

    data: list[float] = []
    columns: list[int] = []
    pointers = [0]
    for feature in features:
        for piece in feature:
            counts = Counter(index[gram] for gram in piece if gram in index)
            if counts:
                at = list(counts)
                values = np.array([1.0 + math.log(counts[i]) for i in at]) * idf[at]
                values /= np.linalg.norm(values)
                columns += at
                data += values.tolist()
        pointers.append(len(columns))
    return csr_matrix((data, columns, pointers), shape=(len(features), len(index)))


def train(rows: list[tuple[str, str, str]], source: str) -> dict[str, Any]:
    """The arrays of a model trained on rows, as `load_model` reads them."""
    from sklearn.linear_model import LogisticRegression

    features = [grams(text) for _, _, text in rows]
    vocabulary: list[str] = []
    idf: list[float] = []
    for part in (0, 1):
        seen = Counter(gram for feature in features for gram in set(feature[part]))
        kept = sorted(gram for gram, lines in seen.items() if lines >= MIN_LINES)
        vocabulary += kept
        idf += [math.log((1 + len(rows)) / (1 + seen[gram])) + 1 for gram in kept]
        if part == 0:
            chars = len(kept)
    index = {gram: i for i, gram in enumerate(vocabulary)}
    assert len(index) == len(vocabulary), "a character n-gram and a word must never be the same feature"
    weights_idf = np.asarray(idf)
    matrix = vectors(features, index, weights_idf)
    alarm = [category != "none" for _, category, _ in rows]
    binary = LogisticRegression(C=STRENGTH, max_iter=5000, class_weight="balanced").fit(matrix, alarm)
    emergencies = [i for i, is_alarm in enumerate(alarm) if is_alarm]
    labels = [rows[i][1] for i in emergencies]
    kinds = LogisticRegression(C=STRENGTH, max_iter=5000).fit(matrix[emergencies], labels)
    categories = [Category(name) for name in kinds.classes_]
    weights = np.hstack([binary.coef_.T, kinds.coef_.T])
    return {
        "vocabulary": np.array("\n".join(vocabulary)),
        "idf": weights_idf.astype(np.float16),
        "weights": weights.astype(np.float16),
        "intercepts": np.concatenate([binary.intercept_, kinds.intercept_]),
        "categories": np.array("\n".join(c.value for c in categories)),
        "chars": np.array(chars),
        "source": np.array(source),
    }


def learn(data_dir: Path, locales_dir: Path) -> int:
    try:
        import sklearn  # noqa: F401
    except ImportError:
        print("elternlotse learn needs scikit-learn: pip install -e '.[dev]'")
        return 2
    paths = labelled_files(data_dir)
    rows = read_lines(paths)
    arrays = train(rows, digest(paths))
    out = locales_dir / FILENAME
    with out.open("wb") as fh:
        np.savez_compressed(fh, **arrays)
    emergencies = sum(category != "none" for _, category, _ in rows)
    print(f"trained on {len(rows)} lines ({emergencies} emergencies) of {len(paths)} files; wrote {out}")
    return 0
