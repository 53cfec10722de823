"""What one parent action costs on PostgreSQL, counted, not timed: round trips, statements, transactions.

Wall-clock figures on a shared machine are noisy; the number of times the bot waits for PostgreSQL is not. This
starts `elternlotse run` (webhook mode, as in production with PostgreSQL) against the Bot API emulator, with its
database connection going through a small proxy on loopback that reads the PostgreSQL wire protocol the bot
sends. Parents walk the callback-request journey one step at a time (then a team member claims the request); each
step's window runs from the update until the reply is there and the bot has been silent towards the database for
a moment. Per step it prints the median over the parents of:

    round trips   the bot sent something and waited for PostgreSQL's answer (a Sync or a simple Query)
    statements    SQL statements executed (BEGIN, COMMIT and ROLLBACK not counted)
    transactions  BEGIN … COMMIT blocks plus statements run alone in autocommit
    prepares      statements PostgreSQL had to parse (asyncpg caches them per connection)

The scheduler's leadership connection (a `SELECT 1` every two seconds) is left out. The sender's idle look at the
outbox (once a second) is not: where it falls into a window it is counted, which the median over parents removes.

    .venv/bin/python bench/roundtrips.py --postgres postgresql+asyncpg://postgres@127.0.0.1:5432/bench [--parents 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import struct
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import reset_postgres  # noqa: E402
from tests.support.tg_emulator import SentMessage, TelegramEmulator  # noqa: E402

TOKEN = "777:BENCH"
PUBLIC = "https://bench.example.org/hook"
SECRET = "bench-webhook-secret-0123456789"
STAFF_GROUP, STAFF_MEMBER = -100777, 2001
QUIET_SECONDS = 0.25  # no traffic towards the database for this long after the reply: the step is over
# (journey, kind, value): the callback-request journey of bench/telegram.py, then a team member's claim.
STEPS: list[tuple[str, str, str]] = [
    ("start", "command", "start"), ("start", "press", "Deutsch"),
    ("menu press", "press", "📞 Rückruf anfordern"), ("request step", "press", "💶 Geld und Leistungen"),
    ("request step", "press", "📞 Bitte anrufen"), ("request step", "text", "0234 1234567"),
    ("request step", "press", "Mitte"), ("request step", "press", "Vormittags (9–12 Uhr)"),
    ("request step", "press", "In den nächsten Tagen"), ("request step", "press", "Überspringen"),
    ("request step", "press", "Überspringen"), ("request sent", "press", "Ja, ich bin einverstanden"),
    ("menu press", "press", "🏠 Menü"), ("staff claim", "claim", "Übernehmen"),
]  # fmt: skip
SSL_REQUEST, GSS_REQUEST = 80877103, 80877104


@dataclass
class Counts:
    round_trips: int = 0
    statements: int = 0
    transactions: int = 0
    prepares: int = 0
    sql: list[str] = field(default_factory=list)  # what was executed, for --show

    def minus(self, other: Counts) -> Counts:
        return Counts(
            self.round_trips - other.round_trips,
            self.statements - other.statements,
            self.transactions - other.transactions,
            self.prepares - other.prepares,
            self.sql[len(other.sql) :],
        )

    def copy(self) -> Counts:
        return Counts(self.round_trips, self.statements, self.transactions, self.prepares, list(self.sql))


class WireCounter:
    """A TCP proxy in front of PostgreSQL that reads the frontend protocol and counts what the bot asks."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.counts = Counts()
        self.last_activity = time.monotonic()
        self._server: asyncio.Server | None = None
        self.port = 0

    async def __aenter__(self) -> WireCounter:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()

    async def quiet(self, seconds: float = QUIET_SECONDS) -> None:
        """Until nothing went towards the database for `seconds`."""
        while (idle := time.monotonic() - self.last_activity) < seconds:  # noqa: ASYNC110 - a deadline, no event
            await asyncio.sleep(seconds - idle)

    async def _serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        server_r, server_w = await asyncio.open_connection(*self.target)
        try:
            await asyncio.gather(self._upstream(client_r, client_w, server_w), _pipe(server_r, client_w))
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            client_w.close()
            server_w.close()

    async def _upstream(
        self, client: asyncio.StreamReader, client_w: asyncio.StreamWriter, server: asyncio.StreamWriter
    ) -> None:
        while True:  # the untyped start-up messages: refuse encryption so that the rest can be read
            head = await client.readexactly(8)
            length, code = struct.unpack("!ii", head)
            body = await client.readexactly(length - 8)
            if code in (SSL_REQUEST, GSS_REQUEST):
                client_w.write(b"N")
                await client_w.drain()
                continue
            server.write(head + body)
            break
        names: dict[bytes, str] = {}  # prepared statement name -> SQL
        portal_sql = ""
        in_transaction = background = False
        while True:
            kind = await client.readexactly(1)
            (length,) = struct.unpack("!i", await client.readexactly(4))
            body = await client.readexactly(length - 4)
            server.write(kind + struct.pack("!i", length) + body)
            await server.drain()
            if kind == b"X":
                return
            sql = ""
            if kind == b"P":
                name, rest = body.split(b"\0", 1)
                names[name] = rest.split(b"\0", 1)[0].decode()
                background = background or "application_name" in names[name]
                if not background:
                    self.counts.prepares += 1
            elif kind == b"B":
                portal_sql = names.get(body.split(b"\0")[1], "?")
            elif kind == b"E":
                sql = portal_sql
            elif kind == b"Q":
                sql = body.rstrip(b"\0").decode()
                background = background or "application_name" in sql
            if background:  # the scheduler's leadership connection
                continue
            self.last_activity = time.monotonic()
            if kind in (b"S", b"Q"):
                self.counts.round_trips += 1
            if not sql:
                continue
            word = sql.lstrip().split(None, 1)[0].upper().rstrip(";") if sql.strip() else ""
            if word in ("BEGIN", "START"):
                in_transaction = True
                self.counts.transactions += 1
            elif word in ("COMMIT", "ROLLBACK", "END"):
                in_transaction = False
            else:
                self.counts.statements += 1
                self.counts.sql.append(" ".join(sql.split())[:160])
                if not in_transaction:
                    self.counts.transactions += 1  # autocommit: the statement is its own transaction


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while data := await reader.read(65536):
        writer.write(data)
        await writer.drain()


def _via(url: str, port: int) -> str:
    """The same database URL, reached through the proxy."""
    parts = urlsplit(url)
    user = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    return urlunsplit(parts._replace(netloc=f"{user}127.0.0.1:{port}"))


async def _step(emu: TelegramEmulator, uid: int, kind: str, value: str) -> Callable[[], Awaitable[object]]:
    """Do one step; returns what to wait for (the reply)."""
    user = emu.user(uid)
    if kind == "claim":
        card = await emu.wait_for_message(STAFF_GROUP, lambda m: value in _labels(m), timeout=30)
        versions = len(card.versions)
        emu.press(STAFF_MEMBER, card, value)
        return lambda: _until(lambda: len(card.versions) > versions)  # the card shows who took it
    before = len(emu.messages(uid))
    if kind == "command":
        user.send_command(value)
    elif kind == "text":
        user.send_text(value)
    else:
        message = next(m for m in reversed(emu.messages(uid)) if m.find_button(value) is not None)
        user.press(message, value)
    return lambda: emu.wait_for_message(uid, after=before, timeout=30)


def _labels(message: SentMessage) -> list[str]:
    return [b.label for row in message.buttons for b in row]


async def _until(condition: Callable[[], bool], timeout: float = 30.0) -> None:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the step was not answered")
        await asyncio.sleep(0.01)


async def measure(postgres: str, parents: int, show: bool) -> None:
    target = urlsplit(postgres)
    async with (
        TelegramEmulator(token=TOKEN) as emu,
        WireCounter(target.hostname or "127.0.0.1", target.port or 5432) as wire,
    ):
        emu.add_group(STAFF_GROUP, "Team", supergroup=True)
        emu.add_user(STAFF_MEMBER, "Anna", language_code="de")
        emu.set_member(STAFF_GROUP, STAFF_MEMBER, "member")
        await reset_postgres(postgres)
        port = _free_port()
        emu.route_webhook(PUBLIC, f"http://127.0.0.1:{port}/hook")
        env = {
            **os.environ, "ELTERNLOTSE_DATABASE_URL": _via(postgres, wire.port),
            "ELTERNLOTSE_TELEGRAM_TOKEN": TOKEN, "ELTERNLOTSE_TELEGRAM_STAFF_CHAT_ID": str(STAFF_GROUP),
            "ELTERNLOTSE_LANGUAGES": "de,en,ar", "ELTERNLOTSE_TELEGRAM_API_URL": emu.api_url,
            "ELTERNLOTSE_TELEGRAM_GLOBAL_RATE": "100000", "ELTERNLOTSE_TELEGRAM_CHAT_INTERVAL": "0",
            "ELTERNLOTSE_TELEGRAM_GROUP_INTERVAL": "0", "ELTERNLOTSE_TELEGRAM_WEBHOOK_URL": PUBLIC,
            "ELTERNLOTSE_TELEGRAM_WEBHOOK_SECRET": SECRET,
            "ELTERNLOTSE_TELEGRAM_WEBHOOK_LISTEN": f"127.0.0.1:{port}",
        }  # fmt: skip
        proc = subprocess.Popen(  # noqa: ASYNC220 - returns at once
            [sys.executable, "-m", "bot.cli", "run"], cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            await _wait_listening(port)
            await asyncio.sleep(2)  # start-up's own work (the idle sender still looks once a second)
            await wire.quiet()
            per_step: list[list[Counts]] = [[] for _ in STEPS]
            for n in range(parents + 1):  # the first parent warms the connections' statement caches up
                uid = 10_000 + n
                emu.add_user(uid, f"P{uid}", language_code="de")
                for i, (_, kind, value) in enumerate(STEPS):
                    await wire.quiet()
                    before = wire.counts.copy()
                    answered = await _step(emu, uid, kind, value)
                    await answered()
                    await wire.quiet()
                    if n:
                        per_step[i].append(wire.counts.minus(before))
        finally:
            proc.send_signal(signal.SIGTERM)
            _, err = await asyncio.to_thread(proc.communicate, timeout=30)  # the proxy must keep serving
            if proc.returncode not in (0, -signal.SIGTERM):
                print(err.decode()[-3000:])
    _report(per_step, parents, show)


def _report(per_step: list[list[Counts]], parents: int, show: bool) -> None:
    print(f"PostgreSQL per parent action, median of {parents} parents (webhook mode, one instance)")
    print(f"{'journey':<13} {'step':<28} {'round trips':>11} {'statements':>10} {'transactions':>12} {'prepares':>8}")
    totals = [0.0, 0.0, 0.0, 0.0]
    by_journey: dict[str, list[float]] = {}
    for (journey, _, value), counts in zip(STEPS, per_step, strict=True):
        medians = [statistics.median(getattr(c, f) for c in counts) for f in _FIELDS]
        totals = [t + m for t, m in zip(totals, medians, strict=True)]
        journey_total = by_journey.setdefault(journey, [0.0] * 5)
        journey_total[:4] = [t + m for t, m in zip(journey_total[:4], medians, strict=True)]
        journey_total[4] += 1
        figures = " ".join(f"{m:>{w}g}" for m, w in zip(medians, (11, 10, 12, 8), strict=True))
        print(f"{journey:<13} {value[:28]:<28} {figures}")
        if show:
            typical = min(counts, key=lambda c: abs(c.round_trips - medians[0]))
            for sql in typical.sql:
                print(f"{'':>16}{sql}")
    print("per journey (mean of its steps):")
    for journey, (*sums, steps) in by_journey.items():
        print(
            f"  {journey:<13} " + ", ".join(f"{name} {s / steps:.1f}" for name, s in zip(_FIELDS, sums, strict=False))
        )
    print(
        f"whole journey ({len(STEPS)} steps): " + ", ".join(f"{n} {t:g}" for n, t in zip(_FIELDS, totals, strict=True))
    )


_FIELDS = ("round_trips", "statements", "transactions", "prepares")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _wait_listening(port: int) -> None:
    for _ in range(600):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.05)
            continue
        writer.close()
        return
    raise RuntimeError(f"the bot does not listen on {port}")


async def main() -> None:
    parser = argparse.ArgumentParser()
    wiped = "a PostgreSQL URL (its public schema is wiped!)"
    parser.add_argument("--postgres", default=os.environ.get("ELTERNLOTSE_BENCH_POSTGRES_URL"), help=wiped)
    parser.add_argument("--parents", type=int, default=5)
    parser.add_argument("--show", action="store_true", help="print the statements of a typical window per step")
    args = parser.parse_args()
    if not args.postgres:
        parser.error("--postgres or ELTERNLOTSE_BENCH_POSTGRES_URL is needed")
    await measure(args.postgres, args.parents, args.show)


if __name__ == "__main__":
    asyncio.run(main())
