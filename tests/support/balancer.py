"""A round-robin HTTP load balancer on loopback, as in front of several webhook instances in production.

A backend that refuses the connection (its process is gone) is passed over and the next one is tried, as nginx
or HAProxy do for a connection error. A backend that dies in the middle of a request gets 502: the request is not
repeated by the balancer, because a POST is not idempotent; Telegram delivers the update again later.
"""

from __future__ import annotations

import itertools

import aiohttp
from aiohttp import web

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "host", "content-length"}


class Balancer:
    def __init__(self, backends: list[str]) -> None:
        self.backends = backends  # base URLs such as http://127.0.0.1:8081
        self.served: dict[str, int] = dict.fromkeys(backends, 0)
        self._next = itertools.cycle(range(len(backends)))
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.url = ""

    async def start(self) -> Balancer:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        return self

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> Balancer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._session is not None
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        for _ in range(len(self.backends)):
            backend = self.backends[next(self._next)]
            try:
                async with self._session.request(
                    request.method, backend + request.path_qs, data=body, headers=headers
                ) as answer:
                    content = await answer.read()
                    self.served[backend] += 1
                    return web.Response(status=answer.status, body=content)
            except aiohttp.ClientConnectorError:
                continue  # nobody listens there: try the next instance
            except (aiohttp.ClientError, TimeoutError):
                return web.Response(status=502)
        return web.Response(status=502)
