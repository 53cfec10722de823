"""The web chat's defences: the session cookie, CSRF tokens, the origin check, rate limits, security headers.

A browser holds one random session id in an HttpOnly cookie and nothing else. The transport key is derived from it
(a hash), so the database never holds the cookie's value: whoever reads the database cannot act as a family.
Addresses are used for rate limits in memory only and never stored or logged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from ipaddress import ip_address
from urllib.parse import urlsplit

from aiohttp import web

COOKIE = "elternlotse"
SESSION_ID = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)
CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")  # a message's id chosen by the page, the same for each retry
START_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")  # a deep link's ?start=, as Telegram allows it
FRAME_SOURCE = re.compile(r"'self'|'none'|https?://[A-Za-z0-9.*-]+(:\d{1,5})?")
COOKIE_DAYS = 30


@dataclass(frozen=True)
class Limits:
    """How much one session and one address may do. Generous: many families share one address (a shelter's Wi-Fi)."""

    posts_per_minute: int = 60  # per session; the core's own per-family limit (with its polite notice) is lower
    address_posts_per_minute: int = 600
    streams_per_session: int = 4  # open tabs
    streams_per_address: int = 500


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


def user_key(session_id: str) -> str:
    """The transport key of a session: web:<a hash of the cookie's value>."""
    digest = hashlib.sha256(session_id.encode("ascii")).digest()
    return "web:" + base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")[:32]


def csrf_token(secret: str, session_id: str) -> str:
    """The token every POST must carry: bound to the session, derived from the server's secret."""
    mac = hmac.new(secret.encode("ascii"), b"csrf:" + session_id.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode("ascii").rstrip("=")


def inbound_id(session_id: str, client_id: str) -> str:
    """An inbound id for exactly-once handling that names no session: a retried POST has the same one."""
    digest = hashlib.sha256(f"{session_id}:{client_id}".encode("ascii")).hexdigest()
    return f"web:msg:{digest[:40]}"


def session_of(request: web.Request) -> str | None:
    value = request.cookies.get(COOKIE, "")
    return value if SESSION_ID.fullmatch(value) else None


def set_cookie(response: web.StreamResponse, session_id: str, public_url: str) -> None:
    parts = urlsplit(public_url)
    response.set_cookie(
        COOKIE,
        session_id,
        max_age=COOKIE_DAYS * 86400,
        path=parts.path or "/",
        httponly=True,
        secure=parts.scheme == "https",
        samesite="Strict",
    )


def forget_cookie(response: web.StreamResponse, public_url: str) -> None:
    parts = urlsplit(public_url)
    response.del_cookie(COOKIE, path=parts.path or "/", secure=parts.scheme == "https", samesite="Strict")


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def same_origin(request: web.Request, public_url: str) -> bool:
    """A POST must come from the chat's own page: its Origin header is the public URL's origin."""
    return request.headers.get("Origin", "").lower() == origin_of(public_url)


def valid_csrf(request: web.Request, secret: str, session_id: str) -> bool:
    given = request.headers.get("X-CSRF-Token", "")
    return hmac.compare_digest(given.encode("ascii", "replace"), csrf_token(secret, session_id).encode("ascii"))


def address_of(request: web.Request) -> str:
    """The client's address, for the rate limits only. Behind a proxy on the same machine (the city's TLS proxy),
    the address it appended last to X-Forwarded-For; from anywhere else that header is not believed."""
    peer = request.remote or ""
    try:
        local = ip_address(peer).is_loopback
    except ValueError:
        local = False
    forwarded = request.headers.get("X-Forwarded-For", "")
    if local and forwarded:
        return forwarded.rsplit(",", 1)[-1].strip()[:64]
    return peer


class Buckets:
    """Token buckets by key (a session's key, an address), in memory only; idle ones are dropped."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(max(1, per_minute // 3))
        self.clock = clock
        self._state: dict[str, tuple[float, float]] = {}

    def admit(self, key: str) -> bool:
        now = self.clock()
        tokens, then = self._state.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - then) * self.rate)
        if len(self._state) > 10000:
            self._prune(now)
        if tokens < 1.0:
            self._state[key] = (tokens, now)
            return False
        self._state[key] = (tokens - 1.0, now)
        return True

    def _prune(self, now: float) -> None:
        full = self.burst / self.rate if self.rate else 0.0
        self._state = {k: v for k, v in self._state.items() if now - v[1] < full}


class Counter:
    """Open streams by key, in memory only."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._open: dict[str, int] = {}

    def enter(self, key: str) -> bool:
        if self._open.get(key, 0) >= self.limit:
            return False
        self._open[key] = self._open.get(key, 0) + 1
        return True

    def leave(self, key: str) -> None:
        left = self._open.get(key, 1) - 1
        if left <= 0:
            self._open.pop(key, None)
        else:
            self._open[key] = left


def content_security_policy(frame_ancestors: str) -> str:
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        f"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors {frame_ancestors}"
    )


def security_headers(frame_ancestors: str) -> dict[str, str]:
    """Sent with every answer: nothing from another origin, no inline script or style, no referrer."""
    headers = {
        "Content-Security-Policy": content_security_policy(frame_ancestors),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cross-Origin-Resource-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    }
    if frame_ancestors == "'none'":
        headers["X-Frame-Options"] = "DENY"
    return headers


def valid_frame_ancestors(value: str) -> bool:
    """A CSP source list of 'self', 'none' or http(s) origins: nothing that could end the header early."""
    parts = value.split()
    return bool(parts) and all(FRAME_SOURCE.fullmatch(p) for p in parts) and ("'none'" not in parts or len(parts) == 1)
