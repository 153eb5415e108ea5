"""The statuses every long-running thing goes through, as SageMaker names a job's."""
from __future__ import annotations

PENDING, IN_PROGRESS, COMPLETED, FAILED, STOPPING, STOPPED = (
    "Pending", "InProgress", "Completed", "Failed", "Stopping", "Stopped")
#: A job in one of these has ended and changes no more.
TERMINAL = frozenset({COMPLETED, FAILED, STOPPED})
