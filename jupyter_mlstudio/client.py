"""A small client of the extension's REST API, for the CLI, the Python API and magics.

Inside a kernel started by the server it needs no configuration (the server puts
``JUPYTER_MLSTUDIO_URL`` and ``JUPYTER_MLSTUDIO_TOKEN`` in the kernel's
environment); elsewhere it reads the same variables or finds a running server.
"""
from __future__ import annotations

import os
from typing import Any

import requests

from .errors import MLStudioError

API_PATH = "mlstudio/api"


class MLStudioAPIError(MLStudioError):
    """The server refused or failed a request; ``message`` is the server's explanation."""

    def __init__(self, status: int, message: str, reason: str | None = None) -> None:
        super().__init__(status, message, reason or "")

    def __str__(self) -> str:
        return f"{self.message} (HTTP {self.status})"


class ServerNotFound(RuntimeError):
    """No Jupyter server with the extension could be found."""


class MLStudioClient:
    """Calls ``/mlstudio/api/...`` on one Jupyter server."""

    def __init__(self, base_url: str, token: str = "", timeout: float = 30.0) -> None:
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.timeout = timeout
        self._session = requests.Session()
        if token:
            self._session.headers["Authorization"] = f"token {token}"

    def url(self, path: str) -> str:
        return f"{self.base_url}{API_PATH}/{path.lstrip('/')}"

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """Send a request; return the decoded JSON reply or raise :class:`MLStudioAPIError`."""
        kwargs.setdefault("timeout", self.timeout)
        try:
            resp = self._session.request(method, self.url(path), **kwargs)
        except requests.RequestException as err:
            raise MLStudioAPIError(0, f"cannot reach {self.base_url}: {err}") from err
        if resp.status_code >= 400:
            try:
                body = resp.json()
                message, reason = body.get("message") or resp.reason, body.get("reason")
            except ValueError:
                message, reason = resp.reason or "request failed", None
            if resp.status_code in (401, 403) and message in ("Forbidden", "Unauthorized"):
                message = f"{self.base_url} refused the request: check the token"
            raise MLStudioAPIError(resp.status_code, message, reason)
        if not resp.content:
            return None
        return resp.json()

    def get(self, path: str, **params: Any) -> Any:
        return self.request("GET", path, params=params or None)

    def post(self, path: str, body: dict | None = None) -> Any:
        return self.request("POST", path, json=body or {})

    def delete(self, path: str) -> Any:
        return self.request("DELETE", path)

    # -- finding a server ----------------------------------------------------
    @classmethod
    def from_environment(cls, url: str | None = None, token: str | None = None) -> "MLStudioClient":
        """A client for the server named by arguments, the environment, or the first running one."""
        url = url or os.environ.get("JUPYTER_MLSTUDIO_URL")
        token = token if token is not None else os.environ.get("JUPYTER_MLSTUDIO_TOKEN", "")
        if url:
            return cls(url, token)
        for info in _running_servers():
            client = cls(info["url"], info.get("token", ""), timeout=5.0)
            try:
                client.get("status")
            except MLStudioAPIError:
                continue
            client.timeout = 30.0
            return client
        raise ServerNotFound(
            "no running Jupyter server with jupyter_mlstudio was found; start one "
            "(`make lab` or `jupyter lab`) or set JUPYTER_MLSTUDIO_URL and JUPYTER_MLSTUDIO_TOKEN"
        )


def _running_servers() -> list[dict[str, Any]]:
    from jupyter_server.serverapp import list_running_servers

    return list(list_running_servers())
