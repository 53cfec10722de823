"""A python-telegram-bot request backend on aiohttp (already a dependency through matrix-nio).

Measured with bench/telegram.py: PTB's default httpx backend spent most of our CPU per update in its
connection pool's bookkeeping; aiohttp's client does the same requests for a fraction of it.
"""

from __future__ import annotations

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

USER_AGENT = "elternlotse (python-telegram-bot, aiohttp)"


class AiohttpRequest(BaseRequest):
    """PTB's BaseRequest over one aiohttp session with a bounded connection pool."""

    def __init__(self, pool_size: int = 8, read_timeout: float = 15.0, connect_timeout: float = 10.0) -> None:
        self._pool_size = pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, ttl_dns_cache=300)
            self._session = aiohttp.ClientSession(connector=connector, headers={"User-Agent": USER_AGENT})

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        if request_data is not None and request_data.contains_files:
            raise NetworkError("file uploads are not supported by this backend")
        read = read_timeout if isinstance(read_timeout, int | float) else self._read_timeout
        connect = connect_timeout if isinstance(connect_timeout, int | float) else self._connect_timeout
        timeout = aiohttp.ClientTimeout(sock_read=read, sock_connect=connect, total=read + connect + 5)
        data = request_data.json_parameters if request_data is not None else None
        try:
            async with self._session.request(method, url, data=data, timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}") from exc
