"""Free TCP ports on the loopback interface."""
from __future__ import annotations

import socket
from contextlib import ExitStack
from typing import Iterable


def free_ports(count: int, host: str = "127.0.0.1") -> list[int]:
    """Return ``count`` distinct ports that are free on ``host`` right now.

    All sockets stay bound until every port is chosen, so the ports differ; a
    later bind can still race another process, which callers handle by retrying.
    """
    with ExitStack() as stack:
        ports = []
        for _ in range(count):
            sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.bind((host, 0))
            ports.append(sock.getsockname()[1])
        return ports


def ports_free(ports: Iterable[int], host: str = "127.0.0.1") -> bool:
    """Whether every port in ``ports`` can be bound on ``host`` right now by a server
    (which sets SO_REUSEADDR, so connections left in TIME_WAIT do not count)."""
    with ExitStack() as stack:
        for port in ports:
            sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((host, int(port)))
            except OSError:
                return False
    return True
