"""`elternlotse check` must catch broken content before a parent meets it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from bot.core.check import run_check

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the real content and catalogs that a test may break."""
    shutil.copytree(ROOT / "dialogs", tmp_path / "dialogs")
    shutil.copytree(ROOT / "locales", tmp_path / "locales", ignore=shutil.ignore_patterns("*.mo"))
    return tmp_path


def problems(tree: Path) -> list[str]:
    found = run_check(tree, tree / "dialogs" / "flows", tree / "locales", ["de", "en"])
    return [str(p) for p in found]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_shipped_content_passes(tree: Path) -> None:
    assert problems(tree) == []


def test_missing_target_is_reported_with_file_line_and_node(tree: Path) -> None:
    flow = tree / "dialogs" / "flows" / "callback.yaml"
    edit(flow, "    next: time_window\n", "    next: time_windw\n")
    found = problems(tree)
    assert any("callback.yaml:" in p and "callback/district: target 'callback/time_windw' does not exist" in p
               for p in found), found  # fmt: skip
    line = next(p for p in found if "time_windw" in p).split(":")[1].split(" ")[0]
    assert flow.read_text(encoding="utf-8").splitlines()[int(line) - 1].strip().startswith("type: ask")


def test_a_text_that_says_tap_needs_a_wording_for_platforms_without_buttons(tree: Path) -> None:
    flow = tree / "dialogs" / "flows" / "main.yaml"
    edit(flow, "    text: \"Wie können wir weiterhelfen?\"", "    text: \"Bitte tippen Sie auf eine Schaltfläche.\"")
    assert any("main/hours_offer: the text speaks of tapping: add 'text_without_buttons'" in p for p in problems(tree))


def test_a_hint_that_says_tap_is_reported_as_it_is_said_on_every_platform(tree: Path) -> None:
    flow = tree / "dialogs" / "flows" / "callback.yaml"
    edit(flow, "Bitte schreiben Sie zum Beispiel: {example}", "Bitte tippen Sie zum Beispiel: {example}")
    assert any("callback/phone: the hint speaks of tapping" in p for p in problems(tree))


def test_unreachable_node_is_reported(tree: Path) -> None:
    edit(
        tree / "dialogs" / "flows" / "main.yaml",
        "  topic_hours:\n",
        "  orphan:\n    type: goto\n    target: menu\n\n  topic_hours:\n",
    )
    assert any("main/orphan: unreachable" in p for p in problems(tree))


def test_cycle_without_exit_is_reported(tree: Path) -> None:
    edit(tree / "dialogs" / "flows" / "main.yaml", "    next: topic_hours\n", "    next: money\n")
    assert any("main/money: cycle without exit" in p for p in problems(tree))


def test_missing_translation_is_reported(tree: Path) -> None:
    edit(
        tree / "dialogs" / "flows" / "main.yaml",
        'text: "Wobei können wir helfen?',
        'text: "Wobei können wir Ihnen helfen?',
    )
    found = problems(tree)
    assert any("main.yaml:" in p and "main/menu (text): missing translation in en" in p for p in found), found


def test_placeholder_mismatch_is_reported(tree: Path) -> None:
    po = tree / "locales" / "en" / "LC_MESSAGES" / "elternlotse.po"
    with po.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    entry = next(m for m in catalog if str(m.id).startswith("Danke! Wir haben Ihre Anfrage gespeichert."))
    entry.string = str(entry.string).replace("{reference}", "{ref}")
    with po.open("wb") as fh:
        write_po(fh, catalog)
    found = problems(tree)
    assert any("placeholders differ in en: ['ref'] instead of ['reference']" in p for p in found), found


def test_check_command_exits_non_zero_on_problems(tree: Path) -> None:
    edit(tree / "dialogs" / "flows" / "callback.yaml", "    next: time_window\n", "    next: nowhere\n")
    env = {"ELTERNLOTSE_DIALOGS_DIR": str(tree / "dialogs"), "ELTERNLOTSE_LOCALES_DIR": str(tree / "locales"),
           "PATH": "/usr/bin:/bin"}  # fmt: skip
    result = subprocess.run([sys.executable, "-m", "bot.cli", "check"], env=env, capture_output=True, text=True,
                            cwd=ROOT, check=False)  # fmt: skip
    assert result.returncode == 1
    assert "target 'callback/nowhere' does not exist" in result.stdout


def test_a_node_whose_buttons_would_not_fit_64_bytes_is_reported(tree: Path) -> None:
    fits, too_long = "m" * 55, "c" * 56  # o:info/<55>:0 is 64 bytes; c:info/<56>:y is 65
    edit(tree / "dialogs" / "flows" / "info.yaml", "  privacy:\n", f"  {fits}:\n    type: menu\n    text: Hallo\n"
         '    options:\n      - {label: "A", goto: "main:menu"}\n\n  privacy:\n')  # fmt: skip
    edit(tree / "dialogs" / "flows" / "info.yaml", "  privacy:\n", f"  {too_long}:\n    type: consent\n"
         "    text: Hallo\n    purpose: p\n    consent_id: c\n    consent_version: 1\n    accept: privacy\n"
         "    decline: privacy\n\n  privacy:\n")  # fmt: skip
    found = problems(tree)
    assert not any(f"info/{fits}:" in p and "bytes" in p for p in found), found
    assert any(f"info/{too_long}: button data of 65 bytes, more than 64" in p for p in found), found
