"""The report's HTML as the coordinator sees it: opened in a real browser (headless Chromium) with every network
request refused, its screenshot must show the text and the charts (drawn from the embedded data: URIs)."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

from PIL import Image

from tests.test_suppression import small_quarter, written

CHROMIUM = "/usr/bin/chromium"  # Debian's chromium; .ci/run installs it
OKABE_BLUE = (0x00, 0x72, 0xB2)  # the first bar colour of every chart


async def screenshot(page: Path, png: Path) -> None:
    """Headless Chromium, nothing reachable: no host resolves, and every request goes to a proxy that is not there."""
    args = [
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--hide-scrollbars",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9",
        f"--user-data-dir={png.parent / 'profile'}", "--window-size=1100,2600", f"--screenshot={png}",
        page.as_uri(),
    ]  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        CHROMIUM, *args, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
    )
    assert await asyncio.wait_for(process.wait(), timeout=90) == 0


async def test_the_report_opens_in_a_browser_without_a_network_and_shows_its_charts(tmp_path: Path) -> None:
    out = written(tmp_path / "report", small_quarter(random.Random(4), 60), small_quarter(random.Random(5), 40))
    png = tmp_path / "bericht.png"
    await screenshot(out / "bericht.html", png)
    with Image.open(png) as image:
        rgb = image.convert("RGB")
    assert rgb.size == (1100, 2600)
    colours = rgb.getcolors(maxcolors=1 << 20) or []
    white = sum(n for n, c in colours if c == (255, 255, 255))
    assert white < 0.9 * rgb.size[0] * rgb.size[1]  # not a blank page
    assert len(colours) > 50  # text, rules and charts, not a single colour or an error page
    # The first chart's bars (Okabe–Ito blue) come from a data: URI: the page needed nothing from a network.
    assert sum(n for n, c in colours if all(abs(a - b) < 8 for a, b in zip(c, OKABE_BLUE, strict=True))) > 2000
