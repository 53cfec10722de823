"""The web chat adapter: families chat on the office's own web page (aiohttp, Server-Sent Events).

In: the page POSTs what the family typed or pressed (bot.adapters.web_routes); each becomes a core event. Out: the
outbox hands a reply to send(), which keeps it for the family's browser (a row in web_messages, whose id is the
event id) and pushes it to every open page of that family. "Sent" means kept for the browser: a page opened later
shows it, and a browser that lost its connection resumes after the last event id it saw, so nothing is lost and
nothing repeated. Staff never work here: the web chat has no staff channel.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from time import monotonic
from typing import Any, Protocol

from bot.adapters.base import Delivery, Handler, Outgoing
from bot.adapters.web_guard import Limits
from bot.core.buttons import PickLanguage, decode
from bot.core.events import ChatKey, Reply
from bot.core.i18n import LANGUAGES
from storage.kinds import Outcome
from storage.webchat import Stored

log = logging.getLogger(__name__)
RTL_LANGUAGES = frozenset({"ar", "fa", "ckb"})
SHARED_RECHECK_SECONDS = 1.0  # several processes: the one that delivered a message may not be the one streaming


@dataclass(eq=False)
class Page:
    """One open page (event stream) of a family: what is to be sent to it, and the last event id it got."""

    queue: asyncio.Queue[Stored] = field(default_factory=asyncio.Queue)
    last: int = 0


@dataclass(frozen=True)
class WebConfig:
    host: str
    port: int
    public_url: str  # what the family's browser shows, behind the city's TLS proxy: https://chat.stadt.de/
    frame_ancestors: str = "'self'"  # who may show the chat in an <iframe>: a CSP source list
    limits: Limits = field(default_factory=Limits)
    recheck_seconds: float = SHARED_RECHECK_SECONDS


def web_config(
    listen: str,
    public_url: str,
    frame_ancestors: str = "'self'",
    limits: Limits | None = None,
    recheck_seconds: float = SHARED_RECHECK_SECONDS,
) -> WebConfig:
    host, _, port = listen.rpartition(":")
    return WebConfig(host or "127.0.0.1", int(port), public_url, frame_ancestors, limits or Limits(), recheck_seconds)


class MessageStore(Protocol):
    """Where the web chat keeps what it delivered (bot.web_store.WebMessages over the database)."""

    shared: bool  # several processes deliver: an open page also looks in the database now and then

    async def store(
        self, user_key: str, payload: dict[str, Any], outbox_id: int | None = None, ref: str | None = None
    ) -> Stored | None:
        """Keep it; with outbox_id, mark that outbox row sent in the same transaction (its platform ref: ref, else
        the new message's id)."""
        ...

    async def after(self, user_key: str, last_id: int) -> list[Stored]: ...

    async def after_many(self, lasts: dict[str, int]) -> list[tuple[str, Stored]]: ...

    async def language(self, user_key: str) -> tuple[bool, str | None]: ...

    async def listen(self, heard: Callable[[str], None]) -> None: ...

    async def secret(self) -> str: ...


def html_lang(code: str) -> str:
    """The BCP 47 tag for a language's code (Easy German is German to a browser and a screen reader)."""
    language = LANGUAGES.get(code)
    return language.babel if language is not None else "de"


def text_direction(code: str) -> str:
    return "rtl" if code in RTL_LANGUAGES else "ltr"


def render(reply: Reply) -> dict[str, Any]:
    """A reply as the page shows it. A language picker's buttons carry their own language, so that a screen reader
    reads "العربية" in Arabic and the button's text runs in its own direction."""
    rows = []
    for row in reply.buttons:
        buttons = []
        for button in row:
            entry: dict[str, str] = {"label": button.label, "data": button.data}
            press = decode(button.data)
            if isinstance(press, PickLanguage) and press.code in LANGUAGES:
                entry["lang"], entry["dir"] = html_lang(press.code), text_direction(press.code)
            buttons.append(entry)
        rows.append(buttons)
    return {"text": reply.text, "dir": "rtl" if reply.rtl else "ltr", "buttons": rows}


class WebAdapter:
    """connect, listen (serve the page), send (keep and push), disconnect. Shows buttons as real buttons."""

    name = "web"

    def __init__(self, config: WebConfig, chrome: dict[str, dict[str, str]], languages: list[str]) -> None:
        self.config = config
        self.chrome = chrome  # per language: the page's own words (bot.web_chrome)
        self.languages = languages
        self.store: MessageStore | None = None
        self.secret = ""
        self._pages: dict[str, set[Page]] = defaultdict(set)
        self._heard: set[str] = set()  # families with a page here, for whom another process kept a message
        self._wake = asyncio.Event()
        self.listening = False  # the server is up (set by bot.adapters.web_routes.serve)

    def use_store(self, store: MessageStore) -> None:
        self.store = store

    def receiving(self) -> str:
        return f"web chat on {self.config.host}:{self.config.port}"

    def shows_buttons(self) -> bool:
        return True

    def last_success(self) -> float | None:
        """For /healthz: the web chat's "platform" is its own server, reached while it listens."""
        return monotonic() if self.listening else None

    async def connect(self) -> None:
        if self.store is None:
            raise RuntimeError("the web chat was started without its message store")
        self.secret = await self.store.secret()

    async def disconnect(self) -> None:
        return None

    async def listen(self, handle: Handler) -> None:
        """Serve the page and its API until cancelled; with several processes, also look for what others kept."""
        from bot.adapters.web_routes import serve

        if self.store is not None and self.store.shared:
            await asyncio.gather(serve(self, handle), self._look_for_others(), self.store.listen(self.heard))
        else:
            await serve(self, handle)

    def heard(self, key: str) -> None:
        """Another process (or this one) kept a message for this family: if a page of it is open here, look now."""
        if key in self._pages:
            self._heard.add(key)
            self._wake.set()

    async def _look_for_others(self) -> None:
        """Several processes share the database: a message another one delivered reaches the pages open here at
        once when the database tells (heard), else at the next look (recheck_seconds). One query for all of them."""
        assert self.store is not None
        sweep_at = monotonic() + self.config.recheck_seconds
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(0.0, sweep_at - monotonic())):
                    await self._wake.wait()
            self._wake.clear()
            heard, self._heard = self._heard, set()
            sweep = monotonic() >= sweep_at
            if sweep:
                sweep_at = monotonic() + self.config.recheck_seconds
            lasts = {
                key: min(page.last for page in pages)
                for key, pages in self._pages.items()
                if pages and (sweep or key in heard)
            }
            try:
                found = await self.store.after_many(lasts)
            except Exception as exc:  # the database is away for a moment: look again in a second
                log.warning("web chat: looking for messages failed (%s)", type(exc).__name__)
                continue
            for key, stored in found:
                for page in self._pages.get(key, ()):
                    page.queue.put_nowait(stored)

    # --- out ------------------------------------------------------------------------------------------

    async def send(self, destination: ChatKey, message: Outgoing) -> Delivery:
        if self.store is None:
            return Delivery(Outcome.RETRY, error="not connected")
        if message.edit_ref is not None and not message.edit_ref.isdigit():
            return Delivery(Outcome.FAILED, error="bad ref")
        if message.edit_ref is not None and message.remove:
            payload: dict[str, Any] = {"remove": int(message.edit_ref)}
        elif message.edit_ref is not None:
            payload = {**render(message.reply), "replace": int(message.edit_ref)}
        else:
            payload = render(message.reply)
        try:
            stored = await self.store.store(destination, payload, message.outbox_id, message.edit_ref)
        except Exception as exc:  # the database is away: the outbox tries again
            return Delivery(Outcome.RETRY, error=type(exc).__name__)
        if stored is None:  # the family ended the chat and erased itself: there is nobody to keep it for
            return Delivery(Outcome.FAILED, error="gone")
        for page in self._pages.get(destination, ()):
            page.queue.put_nowait(stored)
        ref = message.edit_ref if message.edit_ref is not None else str(stored.id)
        return Delivery(Outcome.SENT, ref=ref, recorded=message.outbox_id is not None)

    # --- open pages -----------------------------------------------------------------------------------

    def subscribe(self, key: str, last: int) -> Page:
        """An open page of this family: it gets every message stored for it from now on."""
        page = Page(last=last)
        self._pages[key].add(page)
        return page

    def unsubscribe(self, key: str, page: Page) -> None:
        pages = self._pages.get(key)
        if pages is not None:
            pages.discard(page)
            if not pages:
                del self._pages[key]

    def open_pages(self) -> int:
        return sum(len(pages) for pages in self._pages.values())
