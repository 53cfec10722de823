"""The bot's Matrix device: logged in once, then restored on every start from ELTERNLOTSE_MATRIX_STORE_DIR.

A new login makes a new device, and other people's clients would have to trust it anew; a logout deletes the
device's keys. So the access token, the device id and the key store's pickle key are written once (mode 0600) and
reused; stopping the bot (SIGTERM) closes the connection and never logs out.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from nio import AsyncClient, AsyncClientConfig, LoginResponse, WhoamiResponse

log = logging.getLogger(__name__)
SESSION_FILE = "session.json"
DEVICE_NAME = "Elternlotse"


class MatrixLoginError(RuntimeError):
    """The homeserver refused the login or the stored session; the message names the variable, never a secret."""


@dataclass(frozen=True)
class Credentials:
    homeserver: str
    user_id: str
    password: str | None = None
    access_token: str | None = None
    device_id: str | None = None


@dataclass(frozen=True)
class StoredSession:
    user_id: str
    device_id: str
    access_token: str
    pickle_key: str


def read_session(store: Path, user_id: str) -> StoredSession | None:
    path = store / SESSION_FILE
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("user_id") != user_id:
        raise MatrixLoginError(
            "ELTERNLOTSE_MATRIX_STORE_DIR holds the device of another account; use a directory of its own for "
            "ELTERNLOTSE_MATRIX_USER_ID"
        )
    return StoredSession(data["user_id"], data["device_id"], data["access_token"], data["pickle_key"])


def write_session(store: Path, session: StoredSession) -> None:
    """Written atomically and readable by the bot's user only: it holds the access token."""
    store.mkdir(parents=True, exist_ok=True, mode=0o700)
    path, tmp = store / SESSION_FILE, store / f"{SESSION_FILE}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(session.__dict__, out)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


def client_config(pickle_key: str) -> AsyncClientConfig:
    # The outbox retries (and honours retry_after_ms itself); nio's own endless 429 and timeout retries would hide
    # an outage from it and hold a chat's chain forever.
    return AsyncClientConfig(
        encryption_enabled=True,
        store_sync_tokens=False,  # our token lives in the database, saved after the events are committed
        pickle_key=pickle_key,
        max_limit_exceeded=0,
        max_timeouts=2,
        request_timeout=60,
    )


async def open_client(credentials: Credentials, store: Path) -> AsyncClient:
    """A logged-in client with its end-to-end key store: the stored device if there is one, else a first login."""
    store.mkdir(parents=True, exist_ok=True, mode=0o700)  # noqa: ASYNC240 - once at start-up, a local directory
    session = read_session(store, credentials.user_id)
    if session is None and credentials.access_token and credentials.device_id:
        session = StoredSession(
            credentials.user_id, credentials.device_id, credentials.access_token, secrets.token_urlsafe(32)
        )
        write_session(store, session)
    if session is None:
        session = await _first_login(credentials, store)
    client = AsyncClient(
        credentials.homeserver, session.user_id, device_id=session.device_id, store_path=str(store),
        config=client_config(session.pickle_key),
    )  # fmt: skip
    client.restore_login(session.user_id, session.device_id, session.access_token)
    who = await client.whoami()
    if not isinstance(who, WhoamiResponse):
        await client.close()
        if getattr(who, "status_code", None) == "M_UNKNOWN_TOKEN":
            raise MatrixLoginError(
                "the homeserver no longer knows the stored device (logged out?); remove "
                f"{store / SESSION_FILE} and start with ELTERNLOTSE_MATRIX_PASSWORD to log in again"
            )
        raise ConnectionError(f"whoami failed: {getattr(who, 'status_code', None)}")
    if client.should_upload_keys:
        await client.keys_upload()
    return client


async def _first_login(credentials: Credentials, store: Path) -> StoredSession:
    if not credentials.password:
        raise MatrixLoginError(
            "no stored device in ELTERNLOTSE_MATRIX_STORE_DIR: set ELTERNLOTSE_MATRIX_PASSWORD for the first login "
            "(or ELTERNLOTSE_MATRIX_ACCESS_TOKEN with ELTERNLOTSE_MATRIX_DEVICE_ID)"
        )
    pickle_key = secrets.token_urlsafe(32)
    client = AsyncClient(credentials.homeserver, credentials.user_id, store_path=str(store),
                         config=client_config(pickle_key))  # fmt: skip
    try:
        response = await client.login(credentials.password, device_name=DEVICE_NAME)
    finally:
        await client.close()
    if not isinstance(response, LoginResponse):
        code = getattr(response, "status_code", None)
        if code in ("M_FORBIDDEN", "M_USER_DEACTIVATED", "M_INVALID_USERNAME"):
            raise MatrixLoginError(f"the homeserver refused the login ({code}): check ELTERNLOTSE_MATRIX_USER_ID "
                                   "and ELTERNLOTSE_MATRIX_PASSWORD")  # fmt: skip
        raise ConnectionError(f"login failed: {code}")
    session = StoredSession(response.user_id, response.device_id, response.access_token, pickle_key)
    write_session(store, session)
    log.info("logged in to Matrix as a new device (stored; it is reused from now on)")
    return session
