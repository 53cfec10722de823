"""Shared fixtures: real databases (SQLite always, PostgreSQL when ELTERNLOTSE_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from bot.core.dialogs import Content, load_content
from bot.core.emergency import Matcher
from bot.core.emergency_file import load_matcher
from bot.core.engine import Context
from bot.core.hours import HoursData
from bot.core.hours_file import load_hours
from bot.core.i18n import I18n, load_i18n
from storage.db import Database

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("ELTERNLOTSE_TEST_POSTGRES_URL")
DATABASES = [
    "sqlite",
    pytest.param("postgresql", marks=pytest.mark.skipif(not POSTGRES_URL, reason="no PostgreSQL")),
]


async def reset_postgres(url: str) -> None:
    async with Database(url) as db:

        def wipe(tx: Session) -> None:
            tx.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            tx.execute(text("CREATE SCHEMA public"))

        await db.run(wipe)


@pytest.fixture(params=DATABASES)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database of each supported kind."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
    assert POSTGRES_URL
    await reset_postgres(POSTGRES_URL)
    return POSTGRES_URL


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """A migrated, empty database of each supported kind."""
    url = database_url
    database = Database(url)
    await database.migrate()
    yield database
    await database.close()


@pytest.fixture(scope="session")
def content() -> Content:
    loaded, problems = load_content(ROOT / "dialogs" / "flows")
    assert problems == []
    return loaded


@pytest.fixture(scope="session")
def hours() -> HoursData:
    return load_hours(ROOT / "dialogs" / "hours.yaml")


@pytest.fixture(scope="session")
def i18n() -> I18n:
    return load_i18n(ROOT / "locales", ["de", "en"])


# Every language that has a catalog (and so patterns): the recognition is tested in all of them.
CATALOG_LANGUAGES = ["de", "en", "ar", "tr", "uk", "ru", "ro", "bg", "fa", "ku", "pl", "ckb"]
PARAMS = {"office_emergency": "+49 234 000000", "office_phone": "+49 234 111111", "retention_days": "30"}


@pytest.fixture(scope="session")
def matcher() -> Matcher:
    """What the bot recognises: the shipped patterns and the emergency model."""
    loaded, problems = load_matcher(ROOT / "locales", CATALOG_LANGUAGES)
    assert problems == []
    return loaded


@pytest.fixture(scope="session")
def patterns_alone() -> Matcher:
    """The shipped patterns alone, without the model: what the office's pattern files say, line by line."""
    loaded, problems = load_matcher(ROOT / "locales", CATALOG_LANGUAGES)
    assert problems == []
    loaded.model = None
    return loaded


@pytest.fixture
def ctx(content: Content, i18n: I18n, hours: HoursData, matcher: Matcher) -> Context:
    now = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)  # a Wednesday
    return Context(content, i18n, hours, now, PARAMS, matcher)


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    # PTB 22 warns (an error under our settings) unless durations are timedeltas.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


# Values the tests type as a family's personal data. No log record of the whole run may contain one.
PERSONAL_TEST_VALUES = ("+492341234567", "0234 1234567", "+49 234 1234567", "Zeynep", "Brief vom Jobcenter")


class _AllRecords(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name}: {record.getMessage()} {record.exc_text or ''}")


@pytest.fixture(scope="session", autouse=True)
def no_personal_data_in_any_log_record() -> Iterator[None]:
    """Captures every log record of the whole test session and fails it if one holds personal test data."""
    handler = _AllRecords()
    root = logging.getLogger()
    root.addHandler(handler)
    previous = root.level
    root.setLevel(logging.DEBUG)
    yield
    logging.getLogger("bot.canary").info("log capture canary")
    root.setLevel(previous)
    root.removeHandler(handler)
    assert handler.lines[-1].startswith("bot.canary: log capture canary")  # the capture really sees bot.* records
    leaks = [line for line in handler.lines if any(value in line for value in PERSONAL_TEST_VALUES)]
    assert leaks == [], f"personal data in log records: {leaks[:3]}"
