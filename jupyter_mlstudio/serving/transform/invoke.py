"""Calling the model servers: spreading requests over instances, retrying dead ones."""
from __future__ import annotations

import logging
import threading
import time

import requests

from .spec import TransformError
from .unixhttp import session as unix_session

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 5.0
MAX_COOLDOWN = 10.0
MESSAGE_LIMIT = 500
# Failures where the request never got an answer: safe to send again elsewhere.
_RETRYABLE = (requests.ConnectionError, requests.Timeout,
              requests.exceptions.ChunkedEncodingError)


class ModelError(TransformError):
    """The model server answered with an error status."""


class _Instance:
    def __init__(self, url: str) -> None:
        self.url = url
        self.down_until = 0.0
        self.failures = 0


class Instances:
    """Round-robin over model server URLs; one that drops a request rests a while.

    A request that gets no answer (refused, reset, timed out) is sent again to the
    next instance, up to ``retries`` times; an HTTP error status is the model's
    verdict and fails at once.
    """

    def __init__(self, urls: tuple[str, ...], *, content_type: str | None,
                 accept: str | None, timeout: float, retries: int) -> None:
        self._instances = [_Instance(u) for u in urls]
        self._next = 0
        self._lock = threading.Lock()
        self._local = threading.local()
        self.timeout = (CONNECT_TIMEOUT, timeout)
        self.retries = retries
        self.headers = {}
        if content_type:
            self.headers["Content-Type"] = content_type
        if accept:
            self.headers["Accept"] = accept

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = unix_session()
        return session

    def _pick(self) -> _Instance:
        """The next instance not resting; waits for the first to wake if all rest."""
        while True:
            with self._lock:
                now = time.monotonic()
                count = len(self._instances)
                for step in range(count):
                    inst = self._instances[(self._next + step) % count]
                    if inst.down_until <= now:
                        self._next = (self._next + step + 1) % count
                        return inst
                wake = min(i.down_until for i in self._instances)
            time.sleep(max(0.01, wake - now))

    def _failed(self, inst: _Instance) -> float:
        with self._lock:
            inst.failures += 1
            rest = min(MAX_COOLDOWN, 0.25 * 2 ** inst.failures)
            inst.down_until = time.monotonic() + rest
            return rest

    def _ok(self, inst: _Instance) -> None:
        if inst.failures:
            with self._lock:
                inst.failures = 0
                inst.down_until = 0.0

    def invoke(self, payload: bytes, what: str) -> bytes:
        """POST ``payload`` to ``/invocations``; the response body, or :class:`TransformError`."""
        last: Exception | None = None
        for attempt in range(self.retries + 1):
            inst = self._pick()
            try:
                resp = self._session().post(f"{inst.url}/invocations", data=payload,
                                            headers=self.headers, timeout=self.timeout)
            except _RETRYABLE as err:
                last = err
                rest = self._failed(inst)
                log.info("%s: instance %s did not answer (%s); it rests %.1f s, retrying "
                         "(%d/%d)", what, inst.url, type(err).__name__, rest, attempt + 1,
                         self.retries)
                continue
            self._ok(inst)
            if resp.status_code >= 400:
                message = resp.text.strip().replace("\n", " ")[:MESSAGE_LIMIT]
                raise ModelError(f"{what}: model returned {resp.status_code}: {message}")
            return resp.content
        raise TransformError(f"{what}: no model instance answered after "
                             f"{self.retries + 1} attempts: {last}")
