"""The emergency button says "emergency" in every language, and every text that names it names it as it reads."""

from __future__ import annotations

import pytest

from bot.core import texts as T
from bot.core.langstatus import catalog_path, read_catalog
from tests.conftest import ROOT

# The word for "emergency" (a Notfall, not just "help") in each language, as its stem.
EMERGENCY_WORDS = {
    "en": "Emergency", "ar": "طوارئ", "tr": "Acil", "uk": "Екстрен", "ru": "Экстренн", "ro": "Urgen",
    "bg": "Спеш", "fa": "اضطراری", "ku": "acîl", "pl": "Nagły", "ckb": "فریاکەوتن", "de_easy": "Notfall",
}  # fmt: skip
CATALOGS = sorted(p.parent.parent.name for p in (ROOT / "locales").glob("*/LC_MESSAGES/elternlotse.po"))


@pytest.mark.parametrize("lang", CATALOGS)
def test_the_emergency_button_says_emergency(lang: str) -> None:
    label = str(read_catalog(catalog_path(ROOT / "locales", lang), lang)[T.EMERGENCY_BUTTON].string)
    assert label.startswith("🆘 ")
    assert EMERGENCY_WORDS[lang].casefold() in label.casefold(), f"{lang}: {label!r} does not say emergency"


@pytest.mark.parametrize("lang", CATALOGS)
def test_every_text_that_points_to_the_emergency_button_names_it_as_the_button_reads(lang: str) -> None:
    catalog = read_catalog(catalog_path(ROOT / "locales", lang), lang)
    label = str(catalog[T.EMERGENCY_BUTTON].string)
    pointing = [m for m in catalog if m.id and isinstance(m.id, str) and "„🆘 Notfall“" in m.id]
    assert pointing
    for message in pointing:
        assert label in str(message.string), f"{lang}: {message.string!r} does not name the button {label!r}"
