"""HTML to PDF and PNG with Debian's headless Chromium: the browser shapes Arabic, Persian and Sorani correctly."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

# A4 at CSS's 96 pixels per inch; the PNG is drawn at twice that, so its QR codes stay sharp enough to scan.
A4_PIXELS = (794, 1123)
PNG_SCALE = 2
TIMEOUT = 90  # seconds for one rendering; a cold start on a busy machine takes a few
INSTALL = "apt-get install -y chromium chromium-driver"


class RenderError(RuntimeError):
    """Chromium is missing or did not write the file; the message says what to do."""


def chromium() -> str:
    """The Chromium binary (Debian's package), or RenderError naming how to install it."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise RenderError(f"headless Chromium is needed for the PDF and the PNG: {INSTALL}")
    return found


def render_pdf(page: Path, pdf: Path) -> None:
    """Print the page to an A4 PDF (the page's own @page size, no header or footer)."""
    _run([f"--print-to-pdf={pdf}", "--no-pdf-header-footer"], page, pdf)


def render_png(page: Path, png: Path) -> None:
    """A screenshot of the whole A4 page."""
    width, height = A4_PIXELS
    _run([f"--screenshot={png}", f"--window-size={width},{height}", f"--force-device-scale-factor={PNG_SCALE}",
          "--hide-scrollbars"], page, png)  # fmt: skip


def _run(args: list[str], page: Path, out: Path) -> None:
    out.unlink(missing_ok=True)
    # A profile of its own each time: two renderings (or a test's browser) at once never share one.
    with tempfile.TemporaryDirectory(prefix="elternlotse-chromium-") as profile:
        command = [chromium(), "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                   "--no-first-run", "--disable-extensions", "--disable-background-networking",
                   f"--user-data-dir={profile}", *args, page.resolve().as_uri()]  # fmt: skip
        try:
            done = subprocess.run(command, capture_output=True, timeout=TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise RenderError(f"Chromium did not finish {out.name} within {TIMEOUT} s") from None
    if not out.exists() or out.stat().st_size == 0:
        tail = done.stderr.decode(errors="replace").strip().splitlines()[-3:]
        raise RenderError(f"Chromium wrote no {out.name} (exit {done.returncode}): {' | '.join(tail)}")
