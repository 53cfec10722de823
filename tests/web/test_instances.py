"""Two `elternlotse run` processes with the web chat on one PostgreSQL database, as behind a load balancer without
sticky sessions: a family's event stream is held by one process while what it sends goes to the other, which
handles it and delivers the reply. The reply is kept in web_messages; the process holding the stream must find it
there. Every reply arrives once, in order; a stream moved to the other process resumes without loss or repeat.
The round trip from a posted message to its reply's event is printed (a figure, not an assertion)."""

from __future__ import annotations

import asyncio
import json
import statistics
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_URL, reset_postgres
from tests.support.balancer import Balancer
from tests.support.synapse import free_port
from tests.support.tg_emulator import TelegramEmulator
from tests.support.web_client import WebFamily
from tests.telegram.conftest import BotProcess
from tests.telegram.test_webhook import SECRET
from tests.web.conftest import wait_for_page

PUBLIC_HOOK = "https://elternlotse.example.org/telegram/hook"
ROUNDS = 20
ORIGIN = [""]  # the public URL's origin, the same whichever process a request reaches


async def post_to(family: WebFamily, base: str, path: str, body: dict[str, object]) -> int:
    """What the page posts, sent to the process at base (the balancer chose it): same cookie, origin and token."""
    headers = {"Origin": ORIGIN[0], "X-CSRF-Token": family.csrf, "Content-Type": "application/json"}
    async with family.http.post(base + path, data=json.dumps(body), headers=headers) as response:
        await response.read()
        return response.status


@pytest.mark.skipif(not POSTGRES_URL, reason="needs ELTERNLOTSE_TEST_POSTGRES_URL")
async def test_a_reply_handled_by_the_other_process_reaches_the_stream_held_by_this_one(
    emu: TelegramEmulator, tmp_path: Path
) -> None:
    assert POSTGRES_URL
    await reset_postgres(POSTGRES_URL)
    web_ports, hook_ports = [free_port(), free_port()], [free_port(), free_port()]
    urls = [f"http://127.0.0.1:{port}/" for port in web_ports]
    public = urls[0]  # one public URL for both, as behind the city's proxy
    ORIGIN[0] = public.rstrip("/")
    async with Balancer([f"http://127.0.0.1:{port}" for port in hook_ports]) as balancer:
        emu.route_webhook(PUBLIC_HOOK, balancer.url + "/telegram/hook")
        bots = []
        for n in range(2):
            (tmp_path / f"bot{n}").mkdir()
            bots.append(BotProcess(emu, tmp_path / f"bot{n}", {
                "ELTERNLOTSE_DATABASE_URL": POSTGRES_URL,
                "ELTERNLOTSE_TELEGRAM_WEBHOOK_URL": PUBLIC_HOOK,
                "ELTERNLOTSE_TELEGRAM_WEBHOOK_SECRET": SECRET,
                "ELTERNLOTSE_TELEGRAM_WEBHOOK_LISTEN": f"127.0.0.1:{hook_ports[n]}",
                "ELTERNLOTSE_WEB_LISTEN": f"127.0.0.1:{web_ports[n]}",
                "ELTERNLOTSE_WEB_PUBLIC_URL": public,
                "ELTERNLOTSE_FAMILY_MESSAGES_PER_MINUTE": "600",
                # The once-a-second look is pushed out of the test's reach: a reply must arrive by being told.
                "ELTERNLOTSE_WEB_SHARED_RECHECK_SECONDS": "600",
            }))  # fmt: skip
        family = WebFamily.open(urls[0])
        try:
            for bot, url in zip(bots, urls, strict=True):
                await bot.start(wait_for_poll=False)
                await wait_for_page(url, bot)
            await family.session()  # the page and its stream from process 0 ...
            family.listen()
            await family.ready.wait()
            other = urls[1]  # ... everything it sends to process 1
            assert await post_to(family, other, "api/start", {"start": None}) == 200
            picker = await family.next(0, lambda e: "Deutsch" in e.labels)
            count = len(family.events)
            body = {"id": "a" * 16, "press": picker.data_of("Deutsch"), "message": picker.id}
            assert await post_to(family, other, "api/send", body) == 200
            await family.next(count, lambda e: "🕘 Offene Sprechstunde" in e.labels)

            loop = asyncio.get_running_loop()
            took: dict[str, list[float]] = {"other": [], "same": []}
            for n in range(ROUNDS):
                base, where = (other, "other") if n % 4 else (urls[0], "same")
                count = len(family.events)
                sent_at = loop.time()
                body = {"id": f"{n:016x}", "text": "/hours"}
                assert await post_to(family, base, "api/send", body) == 200
                answer = await family.next(count, wait=10.0)
                took[where].append((family.received_at[answer.id] - sent_at) * 1000)
                await asyncio.sleep(0.05)
                assert len(family.events) == count + 1, "one answer per message, nothing twice"

            # The stream moves to process 1 (a reconnect the balancer sent elsewhere): nothing lost, nothing again.
            seen = [e.id for e in family.events]
            await family.close_stream()
            family.base = urls[1]
            count = len(family.events)
            assert await post_to(family, urls[0], "api/send", {"id": "b" * 16, "text": "/hours"}) == 200
            family.listen(last_event_id=seen[-1])
            await family.next(count, wait=10.0)
            ids = [e.id for e in family.events]
            assert ids == sorted(set(ids)) and ids[: len(seen)] == seen and len(ids) == len(seen) + 1

            for where, values in took.items():
                values.sort()
                print(f"\nreply handled by the {where} process, event on this stream: n={len(values)} "
                      f"median {statistics.median(values):.0f} ms, max {values[-1]:.0f} ms")  # fmt: skip
        finally:
            await family.close()
            for bot in bots:
                await bot.stop()
