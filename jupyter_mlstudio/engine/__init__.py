"""The one job engine: records, statuses, queue, logs and backends of long work.

Every kind of long work (kernel installs, example validations, …) is a
:class:`JobKind` registered with the :class:`JobEngine`, which keeps each run as a
record in the database, queues it by capacity, runs it on the kind's backend, writes
its capped log, lets readers long-poll that log and ends it with a reason after a
server restart.
"""
from .context import JobContext, JobFailed
from .engine import JobEngine, JobNotFound
from .kinds import JobKind

__all__ = ["JobContext", "JobEngine", "JobFailed", "JobKind", "JobNotFound"]
