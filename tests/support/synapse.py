"""A real Synapse homeserver for the Matrix tests: installed into its own venv, run on loopback.

Synapse lives in `.venv-synapse/` because its pinned dependencies (Twisted, its own aiohttp-free stack) must not
mix with ours. `python -m tests.support.synapse --install` installs it; CI runs that before the tests.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import hmac
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import yaml

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv-synapse"
# Known good here: 1.163.2 installs in about 35 s and passes the smoke tests. Moving the pin reinstalls the venv.
REQUIREMENT = "matrix-synapse>=1.163.2,<1.164"
# Set by CI: there a missing Synapse is a failure, never a skip.
REQUIRE_ENV = "ELTERNLOTSE_REQUIRE_SYNAPSE"
SERVER_NAME = "localhost"

# Every rate limit Synapse 1.163 reads, opened wide: tests log in, join and send far faster than people do, and
# `rc_login.address` alone would block the sixth login from 127.0.0.1 for minutes.
_WIDE = {"per_second": 10_000, "burst_count": 10_000}
RATE_LIMITS: dict[str, Any] = {
    "rc_message": _WIDE,
    "rc_registration": _WIDE,
    "rc_registration_token_validity": _WIDE,
    "rc_login": {"address": _WIDE, "account": _WIDE, "failed_attempts": _WIDE},
    "rc_admin_redaction": _WIDE,
    "rc_joins": {"local": _WIDE, "remote": _WIDE},
    "rc_joins_per_room": _WIDE,
    "rc_key_requests": _WIDE,
    "rc_3pid_validation": _WIDE,
    "rc_invites": {"per_room": _WIDE, "per_user": _WIDE, "per_issuer": _WIDE},
    "rc_third_party_invite": _WIDE,
    "rc_media_create": _WIDE,
    "rc_presence": {"per_user": _WIDE},
    "rc_delayed_event_mgmt": _WIDE,
    "rc_room_creation": _WIDE,
    "rc_reports": _WIDE,
    "rc_user_directory": _WIDE,
    "rc_profile": _WIDE,
}


class SynapseUnavailable(RuntimeError):
    """Synapse could not be installed here (typically: no package registry)."""


def synapse_python() -> Path:
    return VENV / "bin" / "python"


def install(venv: Path | None = None, requirement: str | None = None) -> str:
    """Install Synapse into its own venv unless the stamp says this requirement is already there; return its version.

    A lock keeps two test sessions of the same checkout from installing into one venv at once.
    """
    venv, requirement = venv or VENV, requirement or REQUIREMENT
    stamp = venv / ".installed-stamp"
    venv.parent.mkdir(parents=True, exist_ok=True)
    with (venv.parent / f"{venv.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stamp.exists() and json.loads(stamp.read_text()).get("requirement") == requirement:
            return str(json.loads(stamp.read_text())["version"])
        python = venv / "bin" / "python"
        steps = [
            [sys.executable, "-m", "venv", "--clear", str(venv)],
            [str(python), "-m", "pip", "install", "-q", requirement],
        ]
        for step in steps:
            done = subprocess.run(step, capture_output=True, text=True)
            if done.returncode != 0:
                tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-5:])
                raise SynapseUnavailable(f"`{' '.join(step)}` failed ({done.returncode}):\n{tail}")
        version = subprocess.run(
            [str(python), "-c", "from importlib.metadata import version; print(version('matrix-synapse'))"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        stamp.write_text(json.dumps({"requirement": requirement, "version": version}) + "\n")
        return version


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def homeserver_config(
    directory: Path, port: int, shared_secret: str, limits: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A loopback-only test homeserver: SQLite, no federation, registration only through the admin API. `limits`
    replaces some of the wide-open rate limits (a test of the bot against a real limit)."""
    log_config = directory / "log.yaml"
    log_config.write_text(
        yaml.safe_dump(
            {
                "version": 1,
                "formatters": {"plain": {"format": "%(asctime)s %(name)s %(levelname)s %(message)s"}},
                "handlers": {
                    "file": {
                        "class": "logging.FileHandler",
                        "filename": str(directory / "homeserver.log"),
                        "formatter": "plain",
                    }
                },
                "root": {"level": "WARNING", "handlers": ["file"]},
                "disable_existing_loggers": False,
            }
        )
    )
    return {
        "server_name": SERVER_NAME,
        "public_baseurl": f"http://127.0.0.1:{port}/",
        "pid_file": str(directory / "homeserver.pid"),
        "listeners": [
            {
                "port": port,
                "bind_addresses": ["127.0.0.1"],
                "type": "http",
                "tls": False,
                "x_forwarded": False,
                "resources": [{"names": ["client"], "compress": False}],
            }
        ],
        "database": {"name": "sqlite3", "args": {"database": str(directory / "homeserver.db")}},
        "log_config": str(log_config),
        "media_store_path": str(directory / "media"),
        "signing_key_path": str(directory / "signing.key"),
        "enable_registration": False,
        "registration_shared_secret": shared_secret,
        "macaroon_secret_key": secrets.token_hex(32),
        "form_secret": secrets.token_hex(32),
        "bcrypt_rounds": 4,
        "report_stats": False,
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "federation_domain_whitelist": [],
        "presence": {"enabled": False},
        **RATE_LIMITS,
        **(limits or {}),
    }


@dataclass
class Account:
    """A registered user with a fresh device, as the admin API returned it."""

    user_id: str
    password: str
    access_token: str
    device_id: str


@dataclass
class Synapse:
    """One Synapse process with its config, database, keys and log in `directory`."""

    directory: Path
    port: int = field(default_factory=free_port)
    shared_secret: str = field(default_factory=lambda: secrets.token_hex(32))
    proc: subprocess.Popen[bytes] | None = None
    start_seconds: float = 0.0
    limits: dict[str, Any] | None = None  # rate limits tighter than RATE_LIMITS, for one test's own homeserver

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def config_path(self) -> Path:
        return self.directory / "homeserver.yaml"

    def log_tail(self, lines: int = 30) -> str:
        parts = []
        for name in ("stderr.log", "homeserver.log"):
            path = self.directory / name
            if path.exists():
                parts.append(f"--- {name}\n" + "\n".join(path.read_text(errors="replace").splitlines()[-lines:]))
        return "\n".join(parts)

    def configure(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        config = homeserver_config(self.directory, self.port, self.shared_secret, self.limits)
        self.config_path.write_text(yaml.safe_dump(config))
        subprocess.run(
            [str(synapse_python()), "-m", "synapse.app.homeserver", "--generate-keys", "-c", str(self.config_path)],
            cwd=self.directory,
            capture_output=True,
            check=True,
        )

    def start(self, timeout: float = 60.0) -> None:
        """Start the process and return once the client API answers; raise with the log if it never does."""
        began = time.monotonic()
        with (self.directory / "stderr.log").open("ab") as err:
            self.proc = subprocess.Popen(
                [str(synapse_python()), "-m", "synapse.app.homeserver", "-c", str(self.config_path)],
                cwd=self.directory,
                stdout=err,
                stderr=err,
            )
        while time.monotonic() - began < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"Synapse exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_matrix/client/versions", timeout=2) as response:
                    if response.status == 200:
                        self.start_seconds = time.monotonic() - began
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"Synapse did not answer within {timeout} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    async def register(self, localpart: str, password: str | None = None, admin: bool = False) -> Account:
        """Create a user through the shared-secret admin API (nonce, then HMAC-SHA1 over the fields)."""
        password = password or secrets.token_urlsafe(16)
        endpoint = f"{self.url}/_synapse/admin/v1/register"
        async with aiohttp.ClientSession() as session:
            async with session.get(endpoint) as response:
                response.raise_for_status()
                nonce = (await response.json())["nonce"]
            fields = (nonce, localpart, password, "admin" if admin else "notadmin")
            mac = hmac.new(self.shared_secret.encode(), "\x00".join(fields).encode(), hashlib.sha1)
            body = {
                "nonce": nonce,
                "username": localpart,
                "password": password,
                "admin": admin,
                "mac": mac.hexdigest(),
            }
            async with session.post(endpoint, json=body) as response:
                data = await response.json()
                if response.status != 200:
                    raise RuntimeError(f"registering {localpart} failed: {response.status} {data}")
        return Account(data["user_id"], password, data["access_token"], data["device_id"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--install", action="store_true", help="install Synapse into .venv-synapse (idempotent)")
    args = parser.parse_args()
    if not args.install:
        parser.error("nothing to do; pass --install")
    began = time.monotonic()
    try:
        version = install()
    except SynapseUnavailable as error:
        sys.exit(f"Synapse could not be installed: {error}")
    print(f"Synapse {version} in {os.path.relpath(VENV)} ({time.monotonic() - began:.1f} s)")


if __name__ == "__main__":
    main()
