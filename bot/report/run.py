"""`elternlotse report --quarter 2026Q4 --out DIR`: read the counters, build the report, write it."""

from __future__ import annotations

import time
from pathlib import Path

from bot.config import Settings
from bot.core.dialogs import load_content
from bot.core.hours import district_ids, district_name
from bot.core.hours_file import load_hours
from bot.core.outcomes import load_outcomes
from bot.report.data import Quarter, load_counts
from bot.report.funnel import following_steps
from bot.report.tables import Labels
from bot.report.write import HTML_NAME, build_report, write_report
from storage.db import Database


def labels_from(settings: Settings) -> Labels:
    """German names for districts and outcomes, and the dialog steps in the order of the dialog files."""
    hours = load_hours(settings.dialogs_dir / "hours.yaml")
    content, _ = load_content(settings.dialogs_dir / "flows")
    flows = sorted(content.flows.values(), key=lambda flow: flow.id != "main")  # the main menu first
    return Labels(
        districts={d: district_name(hours, d) for d in district_ids(hours)},
        outcomes=load_outcomes(settings.dialogs_dir / "outcomes.yaml"),
        nodes=[node for flow in flows for node in flow.nodes],
        steps=following_steps(content),
    )


async def report(settings: Settings, quarter_text: str, out: Path) -> int:
    """Write the quarter's report into out; 2 for a quarter that cannot be read."""
    try:
        quarter = Quarter.parse(quarter_text)
    except ValueError as exc:
        print(f"elternlotse report: {exc}")
        return 2
    started = time.perf_counter()
    labels = labels_from(settings)
    async with Database(settings.database_url) as db:
        await db.migrate()
        current = await db.run(lambda tx: load_counts(tx, quarter))
        previous = await db.run(lambda tx: load_counts(tx, quarter.a_year_before()))
    written = write_report(build_report(quarter, current, previous, labels), out)
    beside = f", beside {quarter.a_year_before().short}" if previous else ""
    print(f"report {quarter.short}{beside}: {len(written)} files in {out} ({out / HTML_NAME} opens in any browser)")
    print(f"took {time.perf_counter() - started:.1f} s")
    return 0
