"""Language status you can trust: `elternlotse languages`, plurals against CLDR, and start-up refusing a language
that cannot show the emergency numbers, ask for consent or say who reads the data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from bot.core import texts as T
from bot.core.check import Message, check_translations
from bot.core.langstatus import HEADER_FIELDS, catalog_path, header_fields, plural_rule_problem, read_catalog
from tests.test_config import ROOT, run

CATALOGS = sorted(p.parent.parent.name for p in (ROOT / "locales").glob("*/LC_MESSAGES/elternlotse.po"))


@pytest.mark.parametrize("lang", CATALOGS)
def test_each_catalogs_plural_forms_follow_cldr_in_cldr_order(lang: str) -> None:
    catalog = read_catalog(catalog_path(ROOT / "locales", lang), lang)
    assert plural_rule_problem(catalog, lang) is None


def test_babels_old_one_form_for_persian_and_turkish_is_caught() -> None:
    # babel 2.18 wrote nplurals=1 for fa and tr; CLDR has "one" and "other" for both.
    for lang in ("fa", "tr"):
        catalog = Catalog(locale=lang)
        catalog._num_plurals, catalog._plural_expr = 1, "0"
        assert "do not match CLDR" in str(plural_rule_problem(catalog, lang))


@pytest.mark.parametrize("lang", CATALOGS)
def test_each_catalog_says_how_it_was_produced_checked_and_reviewed(lang: str) -> None:
    fields = header_fields(read_catalog(catalog_path(ROOT / "locales", lang), lang))
    assert set(HEADER_FIELDS) <= set(fields)
    assert all(fields[key].strip() for key in HEADER_FIELDS)


def test_an_untranslated_plural_is_refused_by_check(tmp_path: Path) -> None:
    catalog = Catalog(locale="pl")
    catalog.add(("{number} Anfrage", "{number} Anfragen"), ("{number} zgłoszenie", "", ""))
    catalog.add(("{number} Tag", "{number} Tage"), ("{number} dzień", "{number} dni", "{number} dni"))
    path = catalog_path(tmp_path, "pl")
    path.parent.mkdir(parents=True)
    with path.open("wb") as fh:
        write_po(fh, catalog)
    messages = [Message("{number} Anfrage", "x.py", 1, "-"), Message("{number} Tag", "x.py", 2, "-")]
    problems = check_translations(messages, tmp_path, ["de", "pl"])
    assert [(p.line, p.message) for p in problems] == [(1, "untranslated plural form in pl")]


def test_languages_prints_counts_and_provenance_of_every_catalog() -> None:
    result = run(["languages"], ELTERNLOTSE_LANGUAGES="de,en,ar,fa")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for lang in ("en", "ar", "fa", "tr"):
        line = next(x for x in out.splitlines() if x.startswith(f"{lang} "))
        assert "complete:" in line and "missing 0 · fuzzy 0 · placeholder mismatches 0" in line, line
    assert "ar       العربية            on " in out and "tr       Türkçe             off" in out
    assert "native review: none; no native speaker has reviewed this catalog" in out
    assert "de_easy" in out


def _blank(locales: Path, lang: str, msgids: list[str]) -> None:
    path = catalog_path(locales, lang)
    catalog = read_catalog(path, lang)
    for msgid in msgids:
        catalog[msgid].string = ""
    with path.open("wb") as fh:
        write_po(fh, catalog)


def test_start_up_refuses_a_language_without_its_emergency_and_consent_texts(tmp_path: Path) -> None:
    locales = tmp_path / "locales"
    shutil.copytree(ROOT / "locales", locales)
    _blank(locales, "tr", [T.EMERGENCY_LEADS["violence"], T.AGREE_BUTTON])
    script = tmp_path / "script.txt"
    script.write_text("/start\n", encoding="utf-8")
    db = f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"
    env = {"ELTERNLOTSE_LOCALES_DIR": str(locales), "ELTERNLOTSE_DATABASE_URL": db}
    result = run(["demo", "--script", str(script)], ELTERNLOTSE_LANGUAGES="de,en,tr", **env)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "elternlotse: configuration error: ELTERNLOTSE_LANGUAGES: tr lacks its emergency (1 missing), "
        "consent (1 missing) texts; translate them or switch the language off"
    ]
    languages = run(["languages"], ELTERNLOTSE_LANGUAGES="de,en,tr", **env)
    assert languages.returncode == 1
    assert "missing critical texts: emergency 1, consent 1" in languages.stdout
    assert "enabled but not complete: tr" in languages.stderr
    # Switched off, the same catalog stops nobody.
    assert run(["demo", "--script", str(script)], ELTERNLOTSE_LANGUAGES="de,en", **env).returncode == 0
