"""A load balancer in front of several bot instances, as nginx with round-robin upstreams does it.

Each webhook call goes to the next instance; an instance that refuses the connection is skipped for the next one
(`proxy_next_upstream error`); one that dies with the call in hand answers 502, and Telegram calls again later.
"""

from __future__ import annotations

import json
from collections import defaultdict

import aiohttp
from aiohttp import web

HOP_HEADERS = {"Host", "Content-Length", "Transfer-Encoding", "Connection"}


class RoundRobin:
    def __init__(self, backends: list[str]) -> None:
        self.backends = backends  # base URLs, http://127.0.0.1:port
        self.served: dict[int, str] = {}  # update_id → the instance that answered 200
        self.by_backend: dict[str, int] = defaultdict(int)
        self._next = 0
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None
        self.url = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))

    async def stop(self) -> None:
        if self._http is not None:
            await self._http.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._http is not None
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k not in HOP_HEADERS}
        for _ in self.backends:
            backend = self.backends[self._next % len(self.backends)]
            self._next += 1
            try:
                async with self._http.request(
                    request.method, backend + request.path_qs, data=body, headers=headers
                ) as response:
                    answer = await response.read()
                    if response.status == 200 and body:
                        self.served[json.loads(body)["update_id"]] = backend
                        self.by_backend[backend] += 1
                    return web.Response(body=answer, status=response.status, content_type=response.content_type)
            except aiohttp.ClientConnectorError:
                continue  # not listening (down, or starting): the next one
            except (aiohttp.ClientError, TimeoutError):
                return web.Response(text="bad gateway", status=502)  # it died with the call in hand
        return web.Response(text="no instance is up", status=502)
