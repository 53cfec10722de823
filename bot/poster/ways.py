"""The three ways in a poster offers, as links with the deep-link payload, from the bot's configuration."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.config import Settings
from bot.poster import texts as P


class WayKind(StrEnum):
    """A transport a family can reach the bot on from a poster (in the order the poster shows them)."""

    WEB = "web"
    TELEGRAM = "telegram"
    MATRIX = "matrix"


CAPTIONS = {WayKind.WEB: P.WAY_WEB, WayKind.TELEGRAM: P.WAY_TELEGRAM, WayKind.MATRIX: P.WAY_MATRIX}


@dataclass(frozen=True)
class Way:
    """One way in: the link its QR code holds, and a command to type where the link cannot carry the payload."""

    kind: WayKind
    link: str
    code: str | None = None


def ways_in(settings: Settings, payload: str) -> tuple[list[Way], list[str]]:
    """The configured ways in with this payload, and one note for each way left out (it is not configured)."""
    ways: list[Way] = []
    missing: list[str] = []
    if settings.web_public_url:
        base = settings.web_public_url if settings.web_public_url.endswith("/") else settings.web_public_url + "/"
        ways.append(Way(WayKind.WEB, f"{base}?start={payload}"))
    else:
        missing.append("the web chat: ELTERNLOTSE_WEB_PUBLIC_URL is not set")
    if settings.telegram_username:
        ways.append(Way(WayKind.TELEGRAM, f"https://t.me/{settings.telegram_username}?start={payload}"))
    else:
        missing.append("Telegram: ELTERNLOTSE_TELEGRAM_USERNAME (the bot's username, e.g. elternlotse_bot) is not set")
    if settings.matrix_user_id:
        # A matrix.to link to a user opens (or offers) a direct chat and carries no message: the bot greets with the
        # language picker, and the code printed under the QR code, typed, does what a Telegram deep link does.
        ways.append(Way(WayKind.MATRIX, f"https://matrix.to/#/{settings.matrix_user_id}", f"!start {payload}"))
    else:
        missing.append("Matrix: ELTERNLOTSE_MATRIX_USER_ID is not set")
    return ways, missing
