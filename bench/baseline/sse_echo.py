"""A bare aiohttp Server-Sent Events echo: the baseline for bench/web.py. The web chat's API shape (a session
cookie, a CSRF token, POST /api/send, the event stream) without a database, a dialog or an outbox.

    python bench/baseline/sse_echo.py 127.0.0.1 8099
"""

from __future__ import annotations

import asyncio
import json
import secrets
import sys
from collections import defaultdict

from aiohttp import web

pages: dict[str, set[asyncio.Queue[tuple[int, str]]]] = defaultdict(set)
counter = [0]


async def session(request: web.Request) -> web.Response:
    sid = request.cookies.get("elternlotse") or secrets.token_urlsafe(32)
    response = web.json_response({"csrf": "x", "lang": "de", "chrome": {}})
    response.set_cookie("elternlotse", sid, httponly=True, samesite="Strict")
    return response


def push(sid: str, payload: dict[str, object]) -> None:
    counter[0] += 1
    for queue in pages.get(sid, ()):
        queue.put_nowait((counter[0], json.dumps(payload)))


async def send(request: web.Request) -> web.Response:
    body = await request.json()
    push(request.cookies["elternlotse"], {"text": body.get("text", ""), "buttons": []})
    return web.json_response({"notice": None})


async def start(request: web.Request) -> web.Response:
    push(request.cookies["elternlotse"], {"text": "hello", "buttons": []})
    return web.json_response({"notice": None})


async def events(request: web.Request) -> web.StreamResponse:
    sid = request.cookies["elternlotse"]
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
    await response.prepare(request)
    queue: asyncio.Queue[tuple[int, str]] = asyncio.Queue()
    pages[sid].add(queue)
    try:
        await response.write(b'retry: 3000\n\nevent: ready\ndata: {"empty": true}\n\n')
        while True:
            event_id, data = await queue.get()
            await response.write(f"id: {event_id}\ndata: {data}\n\n".encode())
    finally:
        pages[sid].discard(queue)


def main() -> None:
    app = web.Application()
    app.router.add_get("/api/session", session)
    app.router.add_get("/api/events", events)
    app.router.add_post("/api/send", send)
    app.router.add_post("/api/start", start)
    web.run_app(app, host=sys.argv[1], port=int(sys.argv[2]), access_log=None, print=None,
                handler_cancellation=True)  # fmt: skip


if __name__ == "__main__":
    main()
