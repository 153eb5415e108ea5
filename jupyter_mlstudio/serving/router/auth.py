"""Who may talk to the router: its own Host names, SigV4-signed invocations, the server.

- ``Host`` must name the router itself (``127.0.0.1:<port>``, ``localhost:<port>``,
  ``[::1]:<port>``, the bound address, any name the deployer allows): a page that
  rebinds a DNS name to 127.0.0.1 cannot reach it from a browser.
- Invocations carry AWS Signature Version 4 by a key of the keyring the Jupyter server
  sets (its kernels' credentials), or the control token (the Jupyter server's own
  authenticated route, ``Authorization: Bearer <token>``).
- The control API takes only the control token.
"""
from __future__ import annotations

import hmac
from typing import Iterable

from ...aws.credentials import Keyring
from ...aws.sigv4 import SignatureError, SignedRequest, verify
from .http import Request

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


def host_names(host: str, port: int, extra: Iterable[str] = ()) -> frozenset[bytes]:
    """The ``Host`` header values that name a router bound to ``host:port``."""
    names = {f"{name}:{port}" for name in (*LOOPBACK_NAMES, host) if name}
    if ":" in host and not host.startswith("["):
        names.add(f"[{host}]:{port}")
    names.update(extra)
    return frozenset(n.lower().encode("latin-1") for n in names)


class RouterAuth:
    """The router's checks; :attr:`keyring` is replaced through the control API."""

    def __init__(self, token: str, hosts: frozenset[bytes]) -> None:
        self.bearer = b"Bearer " + token.encode()
        self.hosts = hosts
        self.keyring = Keyring()

    def host_ok(self, req: Request) -> bool:
        """Whether the request names this router in its Host header."""
        host = req.host
        return host is not None and host.lower() in self.hosts

    def is_control(self, req: Request) -> bool:
        """Whether the request carries the control token."""
        auth = req.authorization
        return auth is not None and hmac.compare_digest(auth, self.bearer)

    def check_invocation(self, req: Request) -> SignatureError | None:
        """None if the invocation may go on, else why not."""
        if self.is_control(req):
            return None
        signed = SignedRequest(
            req.method.decode("latin-1"), req.path.decode("latin-1"),
            req.query.decode("latin-1"),
            [(k.decode("latin-1"), v.decode("latin-1")) for k, v in req.headers], req.body)
        try:
            verify(signed, self.keyring)
        except SignatureError as err:
            return err
        return None
