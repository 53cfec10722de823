"""`elternlotse run` with two transports: one that cannot reach its platform never stops the other."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.support.synapse import free_port
from tests.support.tg_emulator import TelegramEmulator

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "4242:TEST-token"


async def test_telegram_families_are_served_while_the_matrix_homeserver_is_unreachable(tmp_path: Path) -> None:
    async with TelegramEmulator(token=TOKEN) as emu:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ELTERNLOTSE_")}
        env.update({
            "ELTERNLOTSE_TELEGRAM_TOKEN": TOKEN, "ELTERNLOTSE_TELEGRAM_API_URL": emu.api_url,
            "ELTERNLOTSE_MATRIX_HOMESERVER": f"http://127.0.0.1:{free_port()}",  # nobody listens there
            "ELTERNLOTSE_MATRIX_USER_ID": "@elternlotse:localhost", "ELTERNLOTSE_MATRIX_PASSWORD": "secret-pw-123",
            "ELTERNLOTSE_MATRIX_STAFF_ROOM": "!team", "ELTERNLOTSE_MATRIX_STORE_DIR": str(tmp_path / "store"),
            "ELTERNLOTSE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        })  # fmt: skip
        log = tmp_path / "bot.log"
        with log.open("ab") as out:
            proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], cwd=ROOT, env=env, stdout=out,  # noqa: ASYNC220
                                    stderr=out)  # fmt: skip
        try:
            await emu.wait_for_poll(timeout=60)
            parent = emu.add_user(1001, "Layla", language_code="de")
            parent.send_command("start")
            greeting = await emu.wait_for_message(1001, timeout=30)
            assert "Deutsch" in [b.label for row in greeting.buttons for b in row]
            deadline = time.monotonic() + 30
            while "matrix: connecting again" not in log.read_text():
                assert time.monotonic() < deadline, log.read_text()
                await asyncio.sleep(0.2)
            text = log.read_text()
            assert "started telegram (polling), matrix (sync, encrypted) (retrying)" in text
            assert proc.poll() is None and "secret-pw-123" not in text
        finally:
            proc.send_signal(signal.SIGTERM)
            await asyncio.to_thread(proc.wait, 15)
