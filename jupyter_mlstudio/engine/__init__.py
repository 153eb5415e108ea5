"""The one job engine: records, statuses, queue, logs and backends of long work.

Every kind of long work (kernel installs, example validations, …) is a
:class:`~.kinds.JobKind` registered with the :class:`~.engine.JobEngine`, which keeps
each run as a record in the database, queues it by capacity, runs it on the kind's
backend, writes its capped log (:mod:`.joblog`), lets readers long-poll that log
(:mod:`.follow`) and ends it with a reason after a server restart. Job runner
processes use :mod:`.joblog` and :mod:`.statefile` alone, so this package imports
nothing at its top.
"""
