"""The web chat's HTTP side: the page, its session, what the family sends, the event stream, ending the chat.

Every POST must come from the page itself (Origin), carry the session's CSRF token and stay within the session's
and the address's rate. No access log is written: paths and addresses would tell who chatted when.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.adapters import web_guard as guard
from bot.adapters.base import Handler, Inbound
from bot.adapters.web import html_lang, text_direction
from bot.core.buttons import MAX_BYTES, DeleteData, decode
from bot.core.events import ChatKey, Command, EndChat, Event, Pressed, Text, UserKey
from storage.webchat import Stored

if TYPE_CHECKING:
    from bot.adapters.web import WebAdapter

log = logging.getLogger(__name__)
STATIC = Path(__file__).with_name("web_static")
FILES = {
    "/": ("index.html", "text/html"),
    "/chat.css": ("chat.css", "text/css"),
    "/chat.js": ("chat.js", "text/javascript"),
}
MAX_BODY = 16 * 1024
MAX_TEXT = 4096  # characters, as on Telegram: the engine says what is too long for the question it asked
KEEPALIVE_SECONDS = 15.0  # a comment line now and then, so that no proxy closes a quiet stream


class Routes:
    def __init__(self, adapter: WebAdapter, handle: Handler) -> None:
        self.adapter, self.handle = adapter, handle
        self.public_url = adapter.config.public_url
        self.headers = guard.security_headers(adapter.config.frame_ancestors)
        limits = adapter.config.limits
        self.session_rate = guard.Buckets(limits.posts_per_minute)
        self.address_rate = guard.Buckets(limits.address_posts_per_minute)
        self.session_streams = guard.Counter(limits.streams_per_session)
        self.address_streams = guard.Counter(limits.streams_per_address)
        self.files = {path: _static(name, kind) for path, (name, kind) in FILES.items()}
        self._tasks: set[asyncio.Future[str | None]] = set()

    @property
    def store(self) -> Any:
        assert self.adapter.store is not None
        return self.adapter.store

    # --- the page -------------------------------------------------------------------------------------

    async def static(self, request: web.Request) -> web.StreamResponse:
        body, kind, etag = self.files[request.path if request.path in self.files else "/"]
        headers = {**self.headers, "Cache-Control": "no-cache", "ETag": etag}
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers=headers)
        return web.Response(body=body, content_type=kind, charset="utf-8", headers=headers)

    async def session(self, request: web.Request) -> web.Response:
        """The page's start: its session (a new cookie if it has none), CSRF token, language and own words."""
        session_id = guard.session_of(request)
        fresh = session_id is None
        if session_id is None:
            session_id = guard.new_session_id()
        _, chosen = await self.store.language(guard.user_key(session_id)) if not fresh else (False, None)
        lang = chosen if chosen in self.adapter.languages else self._hint(request)
        body = {
            "csrf": guard.csrf_token(self.adapter.secret, session_id),
            "lang": lang,
            "chrome": {
                code: {**words, "lang": html_lang(code), "dir": text_direction(code)}
                for code, words in self.adapter.chrome.items()
            },
        }
        response = self._json(body)
        guard.set_cookie(response, session_id, self.public_url)  # each visit keeps it for another COOKIE_DAYS
        return response

    # --- what the family sends ------------------------------------------------------------------------

    async def send(self, request: web.Request) -> web.Response:
        checked = await self._checked(request)
        if isinstance(checked, web.Response):
            return checked
        session_id, body = checked
        client_id = body.get("id")
        if not isinstance(client_id, str) or not guard.CLIENT_ID.fullmatch(client_id):
            return self._error(400, "id")
        event = _event(body)
        if event is None:
            return self._error(400, "message")
        message = body.get("message")
        key = guard.user_key(session_id)
        ref = f"{key}|{message}" if isinstance(message, int) and isinstance(event, Pressed) else None
        inbound = self._inbound(request, session_id, guard.inbound_id(session_id, client_id), event, ref)
        notice = await self._handled(inbound)
        if isinstance(event, Pressed) and isinstance(decode(event.data), DeleteData):
            # "Yes, delete everything" (after /delete or the menu's button): the family is gone with its messages,
            # so the goodbye can be kept for nobody. The page says it as when the chat was ended, and the browser
            # forgets the session.
            exists, _ = await self.store.language(key)
            if not exists:
                response = self._json({"notice": notice, "ended": True})
                guard.forget_cookie(response, self.public_url)
                return response
        return self._json({"notice": notice})

    async def start(self, request: web.Request) -> web.Response:
        """The first event of a conversation: /start, with a deep link's payload if the session is new."""
        checked = await self._checked(request)
        if isinstance(checked, web.Response):
            return checked
        session_id, body = checked
        key = guard.user_key(session_id)
        exists, _ = await self.store.language(key)
        if exists and await self.store.after(key, 0):
            return self._json({"notice": None})  # a conversation is under way: the page shows it
        payload = body.get("start")
        args = payload if isinstance(payload, str) and guard.START_PAYLOAD.fullmatch(payload) and not exists else ""
        inbound_id = f"web:start:{uuid.uuid4().hex}"
        notice = await self._handled(self._inbound(request, session_id, inbound_id, Command("start", args)))
        return self._json({"notice": notice})

    async def end(self, request: web.Request) -> web.Response:
        """End the chat (the page asked first): the family's data is erased as by a confirmed /delete, and the
        cookie is forgotten."""
        checked = await self._checked(request)
        if isinstance(checked, web.Response):
            return checked
        session_id, _ = checked
        key = guard.user_key(session_id)
        exists, _ = await self.store.language(key)
        if exists:
            await self._handled(self._inbound(request, session_id, f"web:end:{uuid.uuid4().hex}", EndChat()))
            exists, _ = await self.store.language(key)
        if exists:  # the database was away: the page says "try again", nothing was half done
            return self._error(503, "not erased")
        response = self._json({"ended": True})
        guard.forget_cookie(response, self.public_url)
        return response

    async def _checked(self, request: web.Request) -> web.Response | tuple[str, dict[str, Any]]:
        """The session, origin, CSRF token, rates and body of a POST, or the answer refusing it."""
        session_id = guard.session_of(request)
        if session_id is None:
            return self._error(401, "session")
        if not guard.same_origin(request, self.public_url) or not guard.valid_csrf(
            request, self.adapter.secret, session_id
        ):
            return self._error(403, "origin")
        if not self.address_rate.admit(guard.address_of(request)) or not self.session_rate.admit(session_id):
            return self._error(429, "slow")
        try:
            body = json.loads(await request.read() or b"{}")
        except (ValueError, UnicodeDecodeError):
            return self._error(400, "json")
        if not isinstance(body, dict):
            return self._error(400, "json")
        return session_id, body

    async def _handled(self, inbound: Inbound) -> str | None:
        """Handle to the end even if the page goes away meanwhile (its handler is cancelled then)."""
        task: asyncio.Future[str | None] = asyncio.ensure_future(self.handle(inbound))
        self._tasks.add(task)  # a reference until it is done
        task.add_done_callback(self._tasks.discard)
        return await asyncio.shield(task)

    def _inbound(
        self, request: web.Request, session_id: str, inbound_id: str, event: Event, ref: str | None = None
    ) -> Inbound:
        key = guard.user_key(session_id)
        return Inbound(
            inbound_id, UserKey(key), ChatKey(key), event, language_hint=self._hint(request), message_ref=ref
        )

    def _hint(self, request: web.Request) -> str:
        return language_hint(request.headers.get("Accept-Language", ""), self.adapter.languages)

    # --- the event stream -----------------------------------------------------------------------------

    async def events(self, request: web.Request) -> web.StreamResponse:
        """Server-Sent Events: what was kept for the family after the last event id, then each new message."""
        session_id = guard.session_of(request)
        if session_id is None:
            return self._error(401, "session")
        key, address = guard.user_key(session_id), guard.address_of(request)
        if not self.session_streams.enter(key):
            return self._error(429, "streams")
        if not self.address_streams.enter(address):
            self.session_streams.leave(key)
            return self._error(429, "streams")
        try:
            return await self._stream(request, key)
        finally:
            self.session_streams.leave(key)
            self.address_streams.leave(address)

    async def _stream(self, request: web.Request, key: str) -> web.StreamResponse:
        last = _last_event_id(request)
        response = web.StreamResponse(
            headers={
                **self.headers,
                "Content-Type": "text/event-stream; charset=utf-8",
                "Cache-Control": "no-store",
                "X-Accel-Buffering": "no",  # nginx: pass each event on at once
            }
        )
        await response.prepare(request)
        page = self.adapter.subscribe(key, last)  # before reading the backlog: nothing falls between the two
        try:
            backlog = await self.store.after(key, last)
            ready = json.dumps({"empty": last == 0 and not backlog})
            await response.write(("retry: 3000\n\n" + _frames(backlog) + f"event: ready\ndata: {ready}\n\n").encode())
            page.last = backlog[-1].id if backlog else last
            while True:
                try:
                    async with asyncio.timeout(KEEPALIVE_SECONDS):
                        fresh = [await page.queue.get()]
                except TimeoutError:
                    await response.write(b": ping\n\n")
                    continue
                while not page.queue.empty():
                    fresh.append(page.queue.get_nowait())
                new = sorted({m.id: m for m in fresh if m.id > page.last}.values(), key=lambda m: m.id)
                if new:
                    await response.write(_frames(new).encode())
                    page.last = new[-1].id
        except (ConnectionResetError, ConnectionError):
            pass  # the page was closed; it resumes after its last event id when it comes back
        finally:
            self.adapter.unsubscribe(key, page)
        return response

    # --- answers --------------------------------------------------------------------------------------

    def _json(self, body: dict[str, Any], status: int = 200) -> web.Response:
        headers = {**self.headers, "Cache-Control": "no-store"}
        return web.json_response(
            body, status=status, headers=headers, dumps=lambda o: json.dumps(o, ensure_ascii=False)
        )

    def _error(self, status: int, reason: str) -> web.Response:
        return self._json({"error": reason}, status)


def _static(name: str, kind: str) -> tuple[bytes, str, str]:
    body = (STATIC / name).read_bytes()
    return body, kind, '"' + hashlib.sha256(body).hexdigest()[:20] + '"'


def _event(body: dict[str, Any]) -> Event | None:
    """What the family sent as a core event: typed text (a /command typed is a command) or a pressed button."""
    press, text = body.get("press"), body.get("text")
    if isinstance(press, str) and text is None:
        return Pressed(press) if 0 < len(press.encode("utf-8", "replace")) <= MAX_BYTES else None
    if not isinstance(text, str) or press is not None or len(text) > MAX_TEXT:
        return None
    stripped = text.strip()
    if stripped.startswith("/") and len(stripped) > 1 and stripped[1].isalpha():
        name, _, args = stripped[1:].partition(" ")
        return Command(name.lower(), args.strip())
    return Text(text)


def _last_event_id(request: web.Request) -> int:
    value = request.headers.get("Last-Event-ID") or request.query.get("after") or "0"
    return int(value) if value.isdigit() and len(value) < 19 else 0


def _frames(messages: list[Stored]) -> str:
    return "".join(f"id: {m.id}\ndata: {json.dumps(m.payload, ensure_ascii=False)}\n\n" for m in messages)


ALIASES = {"kmr": "ku", "prs": "fa", "sdh": "ckb"}


def language_hint(header: str, enabled: list[str]) -> str:
    """The first enabled language the browser asks for (Accept-Language), else German: only a hint, the family
    chooses its language on the first screen."""
    for part in header.split(",")[:12]:
        tag = part.split(";", 1)[0].strip().lower().replace("-", "_")
        primary = tag.split("_", 1)[0]
        for code in (tag, primary, ALIASES.get(primary, "")):
            if code in enabled:
                return code
    return "de" if "de" in enabled else enabled[0]


async def serve(adapter: WebAdapter, handle: Handler) -> None:
    """Serve until cancelled, without an access log."""
    routes = Routes(adapter, handle)
    app = web.Application(client_max_size=MAX_BODY)
    for path in FILES:
        app.router.add_get(path, routes.static)
    app.router.add_get("/api/session", routes.session)
    app.router.add_get("/api/events", routes.events)
    app.router.add_post("/api/send", routes.send)
    app.router.add_post("/api/start", routes.start)
    app.router.add_post("/api/end", routes.end)
    # A closed page ends its stream's handler at once (its place under the limits is free again). What a family
    # sent is handled to the end even then: handling is shielded from that cancellation.
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0, handler_cancellation=True)
    await runner.setup()
    try:
        await web.TCPSite(runner, adapter.config.host, adapter.config.port).start()  # a busy port raises: retried
        adapter.listening = True
        log.info("web chat listening on %s:%d", adapter.config.host, adapter.config.port)
        await asyncio.Event().wait()
    finally:
        adapter.listening = False
        with contextlib.suppress(Exception):
            await runner.cleanup()
