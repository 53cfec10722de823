"""Headless Chromium from Debian's packages (chromium, chromium-driver), driven by Selenium, for the web chat's tests.

Selenium is synchronous; the Telegram emulator runs in the test's event loop, so every browser step runs in a thread
(asyncio.to_thread) and never stalls the emulator while the browser waits.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
REQUIRE_ENV = "ELTERNLOTSE_REQUIRE_BROWSER"  # set by CI: there a missing browser fails, never skips
T = TypeVar("T")


class BrowserUnavailable(Exception):
    pass


def start_chromium(width: int = 412, height: int = 915, accept_language: str = "de-DE,de") -> Any:
    """A headless browser the size of a cheap phone's screen; raises BrowserUnavailable if it cannot start."""
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        raise BrowserUnavailable(f"{CHROMIUM} or {CHROMEDRIVER} is missing (apt-get install chromium chromium-driver)")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as exc:
        raise BrowserUnavailable(f"selenium is not installed: {exc}") from None
    # Selenium logs every WebDriver command at DEBUG, with the keys typed: what a test family types stays out of logs.
    for name in ("selenium", "urllib3"):
        logging.getLogger(name).setLevel(logging.WARNING)
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)  # Debian's: Selenium Manager must not try to download one
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={width},{height}",
                     "--disable-gpu", "--no-first-run", f"--lang={accept_language.split(',')[0]}"):  # fmt: skip
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": accept_language})
    try:
        return webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    except Exception as exc:
        raise BrowserUnavailable(f"Chromium did not start: {type(exc).__name__}: {str(exc)[:300]}") from None


def browser_required() -> bool:
    return bool(os.environ.get(REQUIRE_ENV))


async def in_thread(call: Callable[[], T]) -> T:
    return await asyncio.to_thread(call)
