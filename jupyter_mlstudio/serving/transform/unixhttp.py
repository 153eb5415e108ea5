"""``requests`` over unix sockets: a session adapter for ``http+unix://<quoted path>/…``.

The transform runner calls model servers that listen on private unix sockets (see
:mod:`..instances`); mounting :class:`UnixAdapter` on a session lets it keep using
``requests`` (pooling, time-outs, its exceptions) unchanged.
"""
from __future__ import annotations

import socket
from typing import Any
from urllib.parse import unquote, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection
from urllib3.connectionpool import HTTPConnectionPool

from ..router.upstream import UNIX_SCHEME


class _UnixConnection(HTTPConnection):
    def __init__(self, path: str, **kwargs: Any) -> None:
        super().__init__("localhost", **kwargs)
        self.socket_path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout if isinstance(self.timeout, (int, float)) else None)
        try:
            sock.connect(self.socket_path)
        except OSError:
            sock.close()
            raise
        self.sock = sock


class _UnixPool(HTTPConnectionPool):
    def __init__(self, path: str, **kwargs: Any) -> None:
        super().__init__("localhost", **kwargs)
        self.socket_path = path

    def _new_conn(self) -> HTTPConnection:
        self.num_connections += 1
        return _UnixConnection(self.socket_path, timeout=self.timeout.connect_timeout)


class UnixAdapter(HTTPAdapter):
    """Sends ``http+unix://`` requests to the socket named (percent-quoted) in the URL."""

    def __init__(self, pool_maxsize: int = 10) -> None:
        super().__init__(pool_maxsize=pool_maxsize)
        self._pools: dict[str, _UnixPool] = {}

    def get_connection_with_tls_context(self, request: requests.PreparedRequest, verify: Any,
                                        proxies: Any = None, cert: Any = None) -> _UnixPool:
        return self.get_connection(request.url, proxies)

    def get_connection(self, url: Any, proxies: Any = None) -> _UnixPool:
        path = unquote(urlsplit(str(url)).netloc)
        pool = self._pools.get(path)
        if pool is None:
            pool = self._pools[path] = _UnixPool(path, maxsize=self._pool_maxsize)
        return pool

    def request_url(self, request: requests.PreparedRequest, proxies: Any) -> str:
        return request.path_url

    def close(self) -> None:
        super().close()
        for pool in self._pools.values():
            pool.close()
        self._pools.clear()


def session() -> requests.Session:
    """A session that also speaks ``http+unix://``."""
    http = requests.Session()
    http.mount(f"{UNIX_SCHEME}://", UnixAdapter())
    return http
