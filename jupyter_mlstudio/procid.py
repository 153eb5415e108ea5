"""Process identity: a pid together with its kernel start time names one process for good."""
from __future__ import annotations

from pathlib import Path


def start_time(pid: int) -> int | None:
    """The kernel's start time of ``pid`` (clock ticks since boot): with the pid it names
    one process for good, whereas a pid alone may be reused."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[19])
