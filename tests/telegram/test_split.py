"""Texts over Telegram's 4,096 UTF-16 units are split at paragraph, line or word boundaries."""

from __future__ import annotations

from bot.adapters.telegram import split_text, utf16_len


def test_long_text_with_emoji_and_arabic_splits_under_the_limit_without_losing_words() -> None:
    paragraph = "🆘 مرحبًا بكم " * 40 + "Ende."
    text = "\n\n".join(f"{n}: {paragraph}" for n in range(30))
    assert utf16_len(text) > 4096
    parts = split_text(text)
    assert len(parts) > 1
    assert all(utf16_len(part) <= 4096 for part in parts)
    assert " ".join(" ".join(parts).split()) == " ".join(text.split())  # nothing lost, nothing doubled


def test_short_text_stays_whole() -> None:
    assert split_text("Hallo") == ["Hallo"]
