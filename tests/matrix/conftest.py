"""A real Synapse on loopback for the Matrix tests: one for this package (a cold start takes about 3 s), stopped
when its tests are done so it does not idle beside the rest of the suite."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.support.matrix_people import MatrixPerson, person
from tests.support.synapse import REQUIRE_ENV, Account, Synapse, SynapseUnavailable, install

ROOT = Path(__file__).resolve().parents[2]
LANGS = "de,en,ar,fa"


@pytest.fixture(scope="package")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synapse]:
    """A running homeserver (server name `localhost`); register users with `await synapse.register(name)`."""
    yield from running_synapse(tmp_path_factory.mktemp("synapse"))


def running_synapse(directory: Path, limits: dict[str, Any] | None = None) -> Iterator[Synapse]:
    """A homeserver for the fixtures: the package's, or a module's own (tighter limits, or one a test stops)."""
    try:
        install()
    except SynapseUnavailable as error:
        # CI installs Synapse first and sets the variable: there a missing Synapse fails the run instead.
        if os.environ.get(REQUIRE_ENV):
            pytest.fail(f"{REQUIRE_ENV} is set but Synapse could not be installed: {error}")
        pytest.skip(f"Synapse could not be installed (no package registry?); set {REQUIRE_ENV}=1 to fail: {error}")
    server = Synapse(directory, limits=limits)
    server.configure()
    server.start()
    yield server
    server.stop()


@dataclass
class MatrixBot:
    """`elternlotse run` in its own process with Matrix (and optionally Telegram), killed and restarted by tests."""

    synapse: Synapse
    tmp: Path
    account: Account
    staff_room: str
    extra_env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def user_id(self) -> str:
        return self.account.user_id

    @property
    def log_path(self) -> Path:
        return self.tmp / "bot.log"

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def env(self) -> dict[str, str]:
        environment = {k: v for k, v in os.environ.items() if not k.startswith("ELTERNLOTSE_")}
        return {
            **environment,
            "ELTERNLOTSE_MATRIX_HOMESERVER": self.synapse.url,
            "ELTERNLOTSE_MATRIX_USER_ID": self.account.user_id,
            "ELTERNLOTSE_MATRIX_PASSWORD": self.account.password,
            "ELTERNLOTSE_MATRIX_STORE_DIR": str(self.tmp / "store"),
            "ELTERNLOTSE_MATRIX_STAFF_ROOM": self.staff_room,
            "ELTERNLOTSE_DATABASE_URL": f"sqlite+aiosqlite:///{self.tmp / 'bot.db'}",
            "ELTERNLOTSE_LANGUAGES": LANGS,
            **self.extra_env,
        }

    async def start(self, **env: str) -> None:
        """Start `elternlotse run`; env adds variables, and one given as "" is left out (unset)."""
        assert self.proc is None or self.proc.poll() is not None
        environment = {key: value for key, value in {**self.env(), **env}.items() if value != ""}
        runs = self.log.count("elternlotse: started")
        with self.log_path.open("ab") as log:
            command = [sys.executable, "-m", "bot.cli", "run"]
            self.proc = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log, stderr=log)  # noqa: ASYNC220 - returns at once
        deadline = time.monotonic() + 60
        while self.log.count("elternlotse: started") == runs:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the bot did not start:\n{self.log[-3000:]}")
            await asyncio.sleep(0.1)

    async def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        await asyncio.to_thread(self.proc.wait, 10)

    async def stop(self) -> int:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            return await asyncio.to_thread(self.proc.wait, 15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return -9

    def query(self, sql: str, *args: object) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.tmp / "bot.db") as conn:
            return conn.execute(sql, args).fetchall()


@dataclass
class Team:
    anna: MatrixPerson
    room: str


@pytest.fixture
async def people(synapse: Synapse, tmp_path: Path) -> AsyncIterator[Callable[..., Awaitable[MatrixPerson]]]:
    made: list[MatrixPerson] = []

    async def make(name: str, display_name: str | None = None) -> MatrixPerson:
        someone = await person(synapse, name, tmp_path / "people" / f"{name}-{len(made)}", display_name)
        made.append(someone)
        return someone

    yield make
    for someone in made:
        await someone.stop()


@pytest.fixture
async def bot_account(synapse: Synapse) -> Account:
    return await synapse.register(f"elternlotse-{secrets.token_hex(3)}")


@pytest.fixture
async def team(people: Callable[..., Awaitable[MatrixPerson]], bot_account: Account) -> Team:
    """Anna creates the encrypted staff room and invites the bot."""
    anna = await people("anna", "Anna")
    room = await anna.create_room([bot_account.user_id], direct=False, name="Kita-Sozialarbeit Team")
    return Team(anna, room)


@pytest.fixture
async def matrix_bot(synapse: Synapse, tmp_path: Path, bot_account: Account, team: Team) -> AsyncIterator[MatrixBot]:
    bot = MatrixBot(synapse, tmp_path, bot_account, team.room)
    await bot.start()
    yield bot
    await bot.stop()
    for secret in ("+492341234567", "0234 1234567", "Zeynep", "Brief vom Jobcenter", bot_account.password):
        assert secret not in bot.log, "personal data or a secret in the bot's log"
