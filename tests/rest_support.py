"""Calling the extension's REST routes from tests through pytest-jupyter's ``jp_fetch``."""
from __future__ import annotations

import json
from typing import Any

from tornado.httpclient import HTTPClientError


def rest_api(jp_fetch, *prefix: str, empty_body: bytes = b"{}",
             empty_for: tuple[str, ...] = ("POST",)):
    """``await call(method, *path, params=, body=, raw=, headers=)`` on
    ``/mlstudio/api/<prefix>/…``: the status code and the JSON reply (the response itself
    with ``raw``). A body that is not bytes or text is sent as JSON; the methods of
    ``empty_for`` send ``empty_body`` when given none."""
    async def call(method: str, *path: str, params: dict | None = None, body: Any = None,
                   raw: bool = False, headers: dict | None = None):
        kwargs: dict[str, Any] = {"method": method, "params": params or {},
                                  "headers": headers or {}}
        if body is not None:
            kwargs["body"] = body if isinstance(body, (bytes, str)) else json.dumps(body)
        elif method in empty_for:
            kwargs["body"] = empty_body
        try:
            resp = await jp_fetch("mlstudio", "api", *prefix, *path, **kwargs)
        except HTTPClientError as err:
            resp = err.response
        if raw:
            return resp
        return resp.code, (json.loads(resp.body) if resp.body else None)

    return call
