"""A family's browser without the browser: the web chat's HTTP API and its Server-Sent Events, for tests and
bench/web.py. It does what chat.js does (session, CSRF token, Origin, message ids, Last-Event-ID)."""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp


@dataclass
class Event:
    id: int
    data: dict[str, Any]

    @property
    def text(self) -> str:
        return str(self.data.get("text", ""))

    @property
    def labels(self) -> list[str]:
        return [b["label"] for row in self.data.get("buttons", []) for b in row]

    def data_of(self, label: str) -> str:
        return next(b["data"] for row in self.data.get("buttons", []) for b in row if b["label"] == label)


@dataclass
class WebFamily:
    """One browser session: a cookie jar of its own, the page's CSRF token, and the events it has seen."""

    base: str
    http: aiohttp.ClientSession
    csrf: str = ""
    lang: str = ""
    chrome: dict[str, Any] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    ready_data: dict[str, Any] = field(default_factory=dict)
    refused: int | None = None  # the status the event stream was refused with
    _stream: asyncio.Task[None] | None = None
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)
    received_at: dict[int, float] = field(default_factory=dict)

    @classmethod
    def open(cls, base: str, connector: aiohttp.BaseConnector | None = None) -> WebFamily:
        jar = aiohttp.CookieJar(unsafe=True)  # cookies for 127.0.0.1, as a browser keeps them
        timeout = aiohttp.ClientTimeout(total=None, sock_read=None)
        http = aiohttp.ClientSession(cookie_jar=jar, connector=connector, connector_owner=connector is None,
                                     timeout=timeout)  # fmt: skip
        return cls(base.rstrip("/") + "/", http)

    @property
    def origin(self) -> str:
        return self.base.rstrip("/")

    async def session(self) -> dict[str, Any]:
        async with self.http.get(self.base + "api/session") as response:
            assert response.status == 200, response.status
            body: dict[str, Any] = await response.json()
        self.csrf, self.lang, self.chrome = body["csrf"], body["lang"], body["chrome"]
        return body

    async def post(self, path: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> tuple[int, Any]:
        sent = {"Origin": self.origin, "X-CSRF-Token": self.csrf, "Content-Type": "application/json"}
        sent.update(headers or {})
        async with self.http.post(self.base + path, data=json.dumps(body), headers=sent) as response:
            try:
                answer = await response.json()
            except (aiohttp.ContentTypeError, ValueError):
                answer = None
            return response.status, answer

    async def start(self, payload: str | None = None) -> int:
        status, _ = await self.post("api/start", {"start": payload})
        return status

    async def say(self, text: str, client_id: str | None = None) -> tuple[int, Any]:
        return await self.post("api/send", {"id": client_id or secrets.token_hex(8), "text": text})

    async def press(self, label: str, client_id: str | None = None) -> tuple[int, Any]:
        event = next(e for e in reversed(self.events) if label in e.labels)
        body = {"id": client_id or secrets.token_hex(8), "press": event.data_of(label), "message": event.id}
        return await self.post("api/send", body)

    async def end(self) -> int:
        status, _ = await self.post("api/end", {})
        return status

    # --- the event stream -----------------------------------------------------------------------------

    def listen(self, last_event_id: int | None = None) -> None:
        """Open the event stream in the background (EventSource: with Last-Event-ID after a break)."""
        self.ready.clear()
        self._stream = asyncio.create_task(self._read(last_event_id))

    async def close_stream(self) -> None:
        if self._stream is not None:
            self._stream.cancel()
            await asyncio.gather(self._stream, return_exceptions=True)
            self._stream = None

    async def _read(self, last_event_id: int | None) -> None:
        headers = {"Accept": "text/event-stream"}
        if last_event_id:
            headers["Last-Event-ID"] = str(last_event_id)
        async with self.http.get(self.base + "api/events", headers=headers) as response:
            if response.status != 200:
                self.refused = response.status
                self.ready.set()
                return
            self.refused = None
            fields: dict[str, str] = {}
            async for raw in response.content:
                line = raw.decode("utf-8").rstrip("\r\n")
                if line:
                    if not line.startswith(":"):
                        name, _, value = line.partition(":")
                        fields[name] = fields.get(name, "") + value.removeprefix(" ")
                    continue
                if fields.get("event") == "ready":
                    self.ready_data = json.loads(fields["data"])
                    self.ready.set()
                elif "data" in fields and "id" in fields:
                    event = Event(int(fields["id"]), json.loads(fields["data"]))
                    self.received_at[event.id] = asyncio.get_running_loop().time()
                    self.events.append(event)
                    self._arrived.set()
                fields = {}

    async def next(self, after: int, match: Callable[[Event], bool] | None = None, wait: float = 15.0) -> Event:
        """The first event after the first `after` ones (that matches, if given)."""
        async with asyncio.timeout(wait):
            while True:
                for event in self.events[after:]:
                    if match is None or match(event):
                        return event
                self._arrived.clear()
                await self._arrived.wait()

    async def close(self) -> None:
        await self.close_stream()
        await self.http.close()
