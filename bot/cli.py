"""elternlotse run | demo | check | why | learn | languages | migrate | compile | status | report | poster"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.adapters.base import Inbound
from bot.config import ROOT, ConfigError, Settings, load_settings_or_exit
from storage.kinds import OutboxKind

if TYPE_CHECKING:
    from bot.adapters.console import ConsoleAdapter
    from bot.app import App

DEMO_STEP = timedelta(minutes=15)  # the demo's `!advance` looks at the clock's quarter hours


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="elternlotse", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="chat with the bot in the terminal, as a parent (console, SQLite)")
    demo.add_argument("--script", type=Path, help="read input lines from FILE and print the transcript")
    demo.add_argument("--fresh", action="store_true", help="start with an empty demo database")
    sub.add_parser("run", help="run the configured transports")
    sub.add_parser("check", help="validate dialogs, graph and translations of every enabled language")
    why = sub.add_parser("why", help="which emergency patterns a line matches, and what excluded or quieted them")
    why.add_argument("text", help="the line, as a family would type it")
    why.add_argument("--lang", help="the family's language (its patterns, German and English); without: all languages")
    sub.add_parser("learn", help="train the emergency model on the labelled lines in tests/data (needs scikit-learn)")
    sub.add_parser(
        "languages", help="per language: complete, missing, fuzzy, placeholder mismatches, how it was made and checked"
    )
    sub.add_parser("migrate", help="bring the database schema up to date")
    sub.add_parser("compile", help="compile the gettext catalogs")
    sub.add_parser(
        "status", help="undelivered cards and messages, and those failed in 7 days (kinds, ages; no content); exit 1"
    )
    report = sub.add_parser("report", help="the quarterly figures: one HTML file, CSV tables, PNG charts")
    report.add_argument("--quarter", required=True, help="e.g. 2026Q4")
    report.add_argument("--out", type=Path, required=True, help="directory to write into (created if missing)")
    poster = sub.add_parser("poster", help="a printable A4 poster for a Kita: HTML, PDF and PNG with QR codes")
    poster.add_argument("--lang", required=True, help="the poster's language, e.g. ar")
    poster.add_argument("--district", help="the Kita's district, by name or id (e.g. Mitte); without: all districts")
    poster.add_argument("--out", type=Path, default=Path("."), help="directory to write into (created if missing)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request URL at INFO, and a Bot API URL contains the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # matrix-nio logs user ids and room ids (who talks to whom) at INFO; its key store logs every statement.
    for name in ("nio", "peewee"):
        logging.getLogger(name).setLevel(logging.WARNING)

    if args.command == "demo":
        overrides = {"staff_channel": "console:staff"}
        settings = load_settings_or_exit(**overrides)
        if args.fresh:
            _remove_sqlite(settings)
        return _guard(lambda: _demo(settings, args.script))
    settings = load_settings_or_exit()
    if args.command == "check":
        return _check(settings)
    if args.command == "why":
        return _why(settings, args.text, args.lang)
    if args.command == "learn":
        from bot.emergency_learn import learn

        return learn(ROOT / "tests" / "data", settings.locales_dir)
    if args.command == "languages":
        return _languages(settings)
    if args.command == "migrate":
        return _guard(lambda: _migrate(settings))
    if args.command == "compile":
        from bot.core.i18n import compile_catalogs

        for path in compile_catalogs(settings.locales_dir):
            print(f"compiled {path}")
        return 0
    if args.command == "status":
        return _guard(lambda: _status(settings))
    if args.command == "report":
        from bot.report.run import report as write_report

        return _guard(lambda: write_report(settings, args.quarter, args.out))
    if args.command == "poster":
        from bot.poster.run import poster as write_poster

        return write_poster(settings, args.lang, args.district, args.out)
    if args.command == "run":
        from bot.service import run

        return _guard(lambda: run(settings))
    return 2


def _guard(factory: Callable[[], Coroutine[Any, Any, int]]) -> int:
    try:
        return asyncio.run(factory())
    except ConfigError as exc:
        print(f"elternlotse: configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _remove_sqlite(settings: Settings) -> None:
    prefix = "sqlite+aiosqlite:///"
    if settings.database_url.startswith(prefix):
        path = Path(settings.database_url[len(prefix) :])
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)


async def _demo(settings: Settings, script: Path | None) -> int:
    from bot.adapters.console import ConsoleAdapter
    from bot.app import open_app

    logging.getLogger().setLevel(logging.WARNING)
    lines = await asyncio.to_thread(script.read_text, encoding="utf-8") if script else None
    adapter = ConsoleAdapter(script=lines.splitlines() if lines is not None else None, echo=script is not None)
    async with open_app(settings, [adapter]) as app:
        adapter.on_advance = _demo_clock(app, adapter)
        await app.sender.flush()  # what a crash left undelivered goes out first
        if script is None:
            print("Elternlotse demo: you are a parent. Type text, /start, a choice's number or label, ? to see them.")
            await app.handle_and_deliver(_start_event())
        await adapter.listen(app.handle_and_deliver)
    return 0


def _demo_clock(app: App, adapter: ConsoleAdapter) -> Callable[[timedelta], Awaitable[None]]:
    """The demo's own clock: `!advance 1d` moves it and runs the scheduled jobs every quarter hour of it, so a
    parent sees a reminder (and the team its morning overview) arrive as they would in that time."""
    offset = [timedelta(0)]

    def clock() -> datetime:
        return datetime.now(UTC) + offset[0]

    app.runtime.clock = app.desk.clock = app.reminders.clock = app.digest.clock = clock

    async def advance(by: timedelta) -> None:
        end = offset[0] + by
        adapter.out.write(f"(the demo's clock moves on by {_span(by)})\n")
        # Steps end on whole quarter hours of the clock, where the office's reminder and opening times lie.
        offset[0] -= timedelta(seconds=clock().timestamp() % DEMO_STEP.total_seconds())
        while offset[0] < end:
            offset[0] = min(end, offset[0] + DEMO_STEP)
            queued = (await app.reminders.run_once()).queued
            if await app.digest.run_once() or queued:
                adapter.out.write(f"(it is now {clock().astimezone(app.runtime.hours.timezone):%a %d.%m. %H:%M})\n")
                await app.sender.flush()

    return advance


def _span(by: timedelta) -> str:
    days, minutes = by.days, by.seconds // 60
    return " ".join(p for p in (f"{days} d" if days else "", f"{minutes // 60} h" if minutes // 60 else "",
                                f"{minutes % 60} min" if minutes % 60 else "") if p)  # fmt: skip


def _start_event() -> Inbound:
    import uuid

    from bot.adapters.console import PARENT
    from bot.core.events import ChatKey, Command, UserKey

    return Inbound(f"console:{uuid.uuid4().hex}", UserKey(PARENT), ChatKey(PARENT), Command("start"))


async def _status(settings: Settings) -> int:
    from datetime import UTC, datetime, timedelta

    from bot.core.cards import age_text
    from storage.db import Database
    from storage.repo import undelivered

    now = datetime.now(UTC)
    async with Database(settings.database_url) as db:
        await db.migrate()
        rows = await db.run(lambda tx: undelivered(tx, now - timedelta(days=7)))
    if not rows:
        print("everything delivered")
        return 0
    print(f"undelivered: {len(rows)}")
    for row in rows:
        what = f"card {row.reference}" if row.kind == OutboxKind.CARD and row.reference else row.kind
        error = f", last error: {row.error}" if row.error else ""
        print(f"  {what} · {row.status} · {age_text(row.created_at, now)} · {row.attempts} tries{error}")
    return 1


async def _migrate(settings: Settings) -> int:
    from storage.db import Database

    async with Database(settings.database_url) as db:
        await db.migrate()
    print("database is up to date")
    return 0


def _why(settings: Settings, text: str, lang: str | None) -> int:
    """For whoever maintains the patterns: never run on a family's message outside the office's own machine."""
    from bot.core.emergency_file import load_matcher
    from bot.core.emergency_pattern import pattern_language

    matcher, problems = load_matcher(settings.locales_dir, settings.language_list)
    for problem in problems:
        print(problem, file=sys.stderr)
    languages = None if lang is None else {pattern_language(lang), "de", "en"}
    found, trace = matcher.explain(text, languages)
    print("\n".join(trace) if trace else "no pattern matched any of its words")
    print("emergency: " + ", ".join(c.value for c in found.categories) if found else "no emergency")
    return 0


def _model_problems(settings: Settings) -> list[str]:
    """The emergency model must have learnt from the labelled lines there are now, or a line added to tests/data
    would change nothing (and the figures measured on it would be the old model's)."""
    from bot.core.emergency_model import FILENAME, load_model
    from bot.emergency_learn import digest, labelled_files

    model = load_model(settings.locales_dir)
    if model is None:
        print(f"warning: no {FILENAME} in {settings.locales_dir}: the emergency patterns decide alone")
        return []
    data = ROOT / "tests" / "data"
    if data.is_dir() and model.source != digest(labelled_files(data)):
        return [f"{settings.locales_dir / FILENAME}: learnt from other lines than tests/data holds: elternlotse learn"]
    return []


def _check(settings: Settings) -> int:
    from bot.core.check import check_readability, run_check, source_messages
    from bot.core.emergency_file import pattern_warnings
    from bot.core.outcomes import check_outcomes
    from bot.core.reminders import ReminderError, load_rules

    problems: list[object] = list(
        run_check(ROOT, settings.dialogs_dir / "flows", settings.locales_dir, settings.language_list)
    )
    figures, too_hard = check_readability(source_messages(ROOT), settings.locales_dir, settings.language_list)
    print("\n".join(figures))
    problems += too_hard
    try:
        load_rules(settings.dialogs_dir / "reminders.yaml")
    except ReminderError as exc:
        problems.append(exc)
    problems += check_outcomes(settings.dialogs_dir / "outcomes.yaml")[1]
    for warning in pattern_warnings(settings.locales_dir, settings.language_list):
        print(f"warning: {warning}")
    problems += _model_problems(settings)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"ok: dialogs and catalogs for {', '.join(settings.language_list)}")
    return 0


def _languages(settings: Settings) -> int:
    """Every known language and every catalog on disk; exit 1 if an enabled one is not complete."""
    from bot.core.check import source_messages
    from bot.core.dialogs import load_content
    from bot.core.i18n import LANGUAGES
    from bot.core.langstatus import describe, language_status

    content, _ = load_content(settings.dialogs_dir / "flows")
    texts = [m.text for m in source_messages(ROOT)]
    on_disk = sorted(p.parent.parent.name for p in settings.locales_dir.glob("*/LC_MESSAGES/*.po"))
    enabled = settings.language_list
    incomplete = []
    for lang in dict.fromkeys([*LANGUAGES, *on_disk]):
        status = language_status(texts, content, settings.locales_dir, lang)
        print(describe(status, lang in enabled))
        if lang in enabled and not status.complete:
            incomplete.append(lang)
    if incomplete:
        print(f"enabled but not complete: {', '.join(incomplete)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
