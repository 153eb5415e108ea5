"""CloudWatch Logs (``Logs_20140328.<Operation>``) over the jobs' and endpoints' timed logs.

The log groups and streams are the ones SageMaker writes:

==================================  ====================================================
``/aws/sagemaker/TrainingJobs``      ``<job>/algo-<n>-<epoch>``: one stream a host
``/aws/sagemaker/TransformJobs``     ``<job>/instance-<n>-<epoch>``: one a model-server
                                     instance; the first one also holds the transform
                                     runner's lines (what SageMaker puts in its
                                     ``/data-log`` stream), so a job has exactly
                                     ``InstanceCount`` streams, as the SDK's
                                     ``logs_for_transform_job`` expects
``/aws/sagemaker/Endpoints/<name>``  ``<variant>/<instance-id>``: one a model-server
                                     instance, stopped ones too
==================================  ====================================================

``<epoch>`` is the job's creation time in seconds, so a stream's name never changes.
The lines and their times come from the services' timed logs (:mod:`..engine.joblog`).

``DescribeLogStreams``, ``GetLogEvents`` and ``FilterLogEvents`` behave as CloudWatch's
do: ``startTime`` is inclusive and ``endTime`` exclusive; a page holds at most ``limit``
events (10,000) and 1 MB counting 26 bytes an event. ``GetLogEvents`` without a token
reads the newest events, or the oldest with ``startFromHead``; its tokens are positions
in the stream (``f/…`` reads on after the page, ``b/…`` back before it), and a forward
token that finds nothing new comes back unchanged, which is how readers know they are at
the end. Errors: a group or stream that does not exist is ``ResourceNotFoundException``,
anything else wrong with a request ``InvalidParameterException``.
"""
from __future__ import annotations

import asyncio
import heapq
import re
import zlib
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from ..sagemaker.names import RESOURCE_NAME
from ..engine.joblog import JobLogs, TimedLines
from ..sagemaker.errors import ResourceNotFound
from ..handlers.base import AUTH_RESOURCES
from .api import AwsJsonApi, Handler, read_or_write
from .filter_pattern import compile_pattern
from .json_protocol import AwsError
from .paging import InvalidToken, decode_token, encode_token, page

TRAINING_GROUP = "/aws/sagemaker/TrainingJobs"
TRANSFORM_GROUP = "/aws/sagemaker/TransformJobs"
ENDPOINT_GROUP = "/aws/sagemaker/Endpoints/"
MAX_EVENTS = 10_000
MAX_BYTES = 1024 * 1024
EVENT_OVERHEAD = 26  # bytes CloudWatch counts per event towards a page's 1 MB
MAX_SCANNED = 200_000  # records FilterLogEvents reads per call before it answers a page
_CHUNK = 1024
_GROUP_ARN = re.compile(r"^arn:aws[a-z-]*:logs:[^:]*:[^:]*:log-group:(.+?)(:\*)?$")


def not_found(what: str) -> AwsError:
    return AwsError("ResourceNotFoundException", f"The specified log {what} does not exist.")


def invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterException", message)


@dataclass
class Stream:
    """A log stream: its name, creation time (ms) and the timed lines it reads from."""

    name: str
    created: int
    sources: list[TimedLines]

    def first_and_last(self) -> tuple[int | None, int | None]:
        """The times of its first and last events, if it has any."""
        firsts, lasts = [], []
        for source in self.sources:
            count = len(source)
            if count:
                firsts.append(source.time_at(0))
                lasts.append(source.time_at(count - 1))
        return (min(firsts), max(lasts)) if firsts else (None, None)


@dataclass(frozen=True)
class Event:
    source: int  # which of the sources read
    record: int
    timestamp: int
    message: str

    @property
    def size(self) -> int:
        return len(self.message.encode("utf-8", "replace")) + EVENT_OVERHEAD


class _Cursor:
    """One source read one way, a chunk of records (with their lines) at a time.

    Forward it reads records ``position`` … ``bound - 1``; backward ``position - 1`` down
    to ``bound``. ``position`` is always where the next read would start."""

    def __init__(self, lines: TimedLines, position: int, bound: int, forward: bool,
                 chunk: int) -> None:
        self.lines = lines
        self.position = position
        self.bound = bound
        self.forward = forward
        self.chunk = max(1, min(chunk, _CHUNK))
        self._buffer: list[tuple[int, int, str]] = []  # (record, time, message), next last

    def done(self) -> bool:
        return not self._buffer and (self.position >= self.bound if self.forward
                                     else self.position <= self.bound)

    def peek(self) -> tuple[int, int, str] | None:
        if not self._buffer and not self.done():
            if self.forward:
                start, stop = self.position, min(self.position + self.chunk, self.bound)
            else:
                start, stop = max(self.position - self.chunk, self.bound), self.position
            records = self.lines.records(start, stop)
            items = [(start + i, t, m) for i, ((_, t), m) in
                     enumerate(zip(records, self.lines.messages(records)))]
            if not items:  # the index is shorter than it said: nothing more to read
                self.bound = self.position
                return None
            self._buffer = items[::-1] if self.forward else items
        return self._buffer[-1] if self._buffer else None

    def take(self) -> None:
        record = self._buffer.pop()[0]
        self.position = record + 1 if self.forward else record


def collect(cursors: list[_Cursor], forward: bool, limit: int,
            accept: Callable[[str], bool] = lambda _m: True,
            max_scanned: int | None = None) -> tuple[list[Event], bool]:
    """Events from ``cursors`` merged in time order (newest first backward), at most
    ``limit`` and 1 MB of them; ``accept`` filters messages. Returns the events and
    whether every cursor was read to its bound."""
    def entry(i: int) -> tuple[int, int, int] | None:
        head = cursors[i].peek()
        if head is None:
            return None
        return (head[1], i, head[0]) if forward else (-head[1], -i, -head[0])

    heap = [e for e in map(entry, range(len(cursors))) if e is not None]
    heapq.heapify(heap)
    events: list[Event] = []
    size = scanned = 0
    while heap and len(events) < limit and (max_scanned is None or scanned < max_scanned):
        i = abs(heap[0][1])
        head = cursors[i].peek()
        assert head is not None  # a cursor is in the heap while it has a record to give
        record, stamp, message = head
        event = Event(i, record, stamp, message)
        if accept(message):
            if events and size + event.size > MAX_BYTES:
                break
            events.append(event)
            size += event.size
        cursors[i].take()
        scanned += 1
        following = entry(i)
        if following is None:
            heapq.heappop(heap)
        else:
            heapq.heapreplace(heap, following)
    return events, all(c.done() for c in cursors)


def _bounds(sources: list[TimedLines], params: dict[str, Any]) -> tuple[list[int], list[int]]:
    """Per source: the first record at or after startTime, the first at or after endTime."""
    start, end = params.get("startTime"), params.get("endTime")
    if start is not None and end is not None and end < start:
        raise invalid("endTime must not be earlier than startTime.")
    low = [s.bisect(start) if start else 0 for s in sources]
    high = [s.bisect(end) if end is not None else len(s) for s in sources]
    return low, high


def _token(direction: str, positions: Iterable[int]) -> str:
    return "/".join([direction, *(str(p) for p in positions)])


def _parse_token(token: str, sources: int) -> tuple[str, list[int]]:
    direction, *rest = token.split("/")
    if direction not in ("f", "b") or len(rest) != sources or not all(
            p.isdigit() and len(p) < 19 for p in rest):
        raise invalid("The specified nextToken is invalid.")
    return direction, [int(p) for p in rest]


def _event_id(stream: str, event: Event) -> str:
    return f"{event.timestamp:013d}{zlib.crc32(stream.encode()):010d}{event.source:03d}" \
           f"{event.record:012d}"


class LogsApi(AwsJsonApi):
    """Dispatches ``Logs_20140328.<Operation>`` requests to the services' timed logs."""

    service = "logs"
    target_prefix = "Logs_20140328"
    invalid_request = "InvalidParameterException"

    def __init__(self, training: Any, serving: Any, region: str) -> None:
        self.training = training
        self.serving = serving
        self.region = region
        super().__init__({
            "DescribeLogStreams": self._threaded(self.describe_log_streams),
            "GetLogEvents": self._threaded(self.get_log_events),
            "FilterLogEvents": self._threaded(self.filter_log_events),
        })

    def access(self, operation: str, params: dict[str, Any]) -> tuple[str, str]:
        """Reading a group's logs is reading its area (a bad group name: the status's)."""
        try:
            group = self.group_name(params)
        except AwsError:
            group = ""
        area = ("training" if group == TRAINING_GROUP else "transform"
                if group == TRANSFORM_GROUP else "endpoints"
                if group.startswith(ENDPOINT_GROUP) else "status")
        return read_or_write(operation), AUTH_RESOURCES[area]

    @staticmethod
    def _threaded(fn: Callable[[dict[str, Any]], dict[str, Any]]) -> Handler:
        async def call(params: dict[str, Any]) -> dict[str, Any]:
            return await asyncio.to_thread(fn, params)
        return call

    # -- groups and streams -----------------------------------------------------------
    @staticmethod
    def group_name(params: dict[str, Any]) -> str:
        """The group a request names, by ``logGroupName`` or ``logGroupIdentifier``."""
        name, identifier = params.get("logGroupName"), params.get("logGroupIdentifier")
        if name is not None and identifier is None:
            return name
        if identifier is not None and name is None:
            arn = _GROUP_ARN.match(identifier)
            return arn.group(1) if arn else identifier
        raise invalid("Exactly one of logGroupName and logGroupIdentifier must be given.")

    def streams(self, group: str, prefix: str = "") -> list[Stream]:
        """The streams of ``group`` whose names start with ``prefix``, in name order;
        ResourceNotFoundException if there is no such group."""
        if group in (TRAINING_GROUP, TRANSFORM_GROUP):
            job, slash, _ = prefix.partition("/")
            service = self.training if group == TRAINING_GROUP else self.serving.transforms
            found = self._job_streams(service.timed_logs(job, exact=bool(slash)))
        elif group.startswith(ENDPOINT_GROUP) and RESOURCE_NAME.match(
                endpoint := group[len(ENDPOINT_GROUP):]):
            try:
                instances = self.serving.instance_logs(endpoint)
            except ResourceNotFound:
                raise not_found("group") from None
            found = [Stream(f"{variant}/{iid}", 0, [lines])
                     for variant, logs in instances.items() for iid, lines in logs.items()]
            for stream in found:
                stream.created = stream.first_and_last()[0] or \
                    int(stream.sources[0].log.stat().st_ctime * 1000)
        else:
            raise not_found("group")
        return sorted((s for s in found if s.name.startswith(prefix)), key=lambda s: s.name)

    @staticmethod
    def _job_streams(jobs: list[JobLogs]) -> list[Stream]:
        streams = []
        for job in jobs:
            epoch = int(job.created.timestamp())
            streams += [Stream(f"{job.name}/{host}-{epoch}", epoch * 1000, sources)
                        for host, sources in job.hosts.items()]
        return streams

    def stream(self, group: str, name: str) -> Stream:
        for stream in self.streams(group, name):
            if stream.name == name:
                return stream
        raise not_found("stream")

    def arn(self, group: str, stream: str | None = None) -> str:
        arn = f"arn:aws:logs:{self.region}:000000000000:log-group:{group}"
        return f"{arn}:log-stream:{stream}" if stream is not None else f"{arn}:*"

    # -- operations -------------------------------------------------------------------
    def describe_log_streams(self, params: dict[str, Any]) -> dict[str, Any]:
        group = self.group_name(params)
        prefix = params.get("logStreamNamePrefix", "")
        by_time = params.get("orderBy", "LogStreamName") == "LastEventTime"
        if by_time and prefix:
            raise invalid("Cannot order by LastEventTime with a logStreamNamePrefix.")
        described = []
        for stream in self.streams(group, prefix):
            first, last = stream.first_and_last()
            described.append({
                "logStreamName": stream.name, "creationTime": stream.created,
                "firstEventTimestamp": first, "lastEventTimestamp": last,
                "lastIngestionTime": last, "arn": self.arn(group, stream.name),
                "storedBytes": 0})
        descending = bool(params.get("descending"))

        def key(item: dict[str, Any]) -> list:
            return [item["lastEventTimestamp"] or 0, item["logStreamName"]] if by_time \
                else [item["logStreamName"]]

        described.sort(key=key, reverse=descending)
        try:
            streams, token = page(described, key, params.get("limit", 50),
                                  params.get("nextToken"), descending)
        except InvalidToken:
            raise invalid("The specified nextToken is invalid.") from None
        return {"logStreams": streams, "nextToken": token}

    def get_log_events(self, params: dict[str, Any]) -> dict[str, Any]:
        stream = self.stream(self.group_name(params), params["logStreamName"])
        sources = stream.sources
        low, high = _bounds(sources, params)
        limit = params.get("limit", MAX_EVENTS)
        token = params.get("nextToken")
        if token is not None:
            direction, positions = _parse_token(token, len(sources))
            forward = direction == "f"
        else:
            forward = bool(params.get("startFromHead"))
            positions = low if forward else high
        if forward:
            begin = [max(p, lo) for p, lo in zip(positions, low)]
            cursors = [_Cursor(s, b, hi, True, limit) for s, b, hi in zip(sources, begin, high)]
        else:
            begin = [max(min(p, hi), lo) for p, lo, hi in zip(positions, low, high)]
            cursors = [_Cursor(s, b, lo, False, limit) for s, b, lo in zip(sources, begin, low)]
        events, _ = collect(cursors, forward, limit)
        after = [c.position for c in cursors]
        if forward:
            next_forward = token if token and not events else _token("f", after)
            next_backward = _token("b", begin)
        else:
            events.reverse()
            next_backward = token if token and not events else _token("b", after)
            next_forward = _token("f", begin)
        return {"events": [{"timestamp": e.timestamp, "message": e.message,
                            "ingestionTime": e.timestamp} for e in events],
                "nextForwardToken": next_forward, "nextBackwardToken": next_backward}

    def filter_log_events(self, params: dict[str, Any]) -> dict[str, Any]:
        group = self.group_name(params)
        names, prefix = params.get("logStreamNames"), params.get("logStreamNamePrefix")
        if names is not None and prefix is not None:
            raise invalid("logStreamNames and logStreamNamePrefix are mutually exclusive.")
        try:
            match = compile_pattern(params.get("filterPattern"))
        except ValueError as err:
            raise invalid(str(err)) from None
        streams = self.streams(group, prefix or "")
        if names is not None:
            streams = [s for s in streams if s.name in set(names)]
        sources = [(s.name, lines) for s in streams for lines in s.sources]
        low, high = _bounds([lines for _, lines in sources], params)
        resumed: dict[str, list[int]] = {}
        if params.get("nextToken"):
            try:
                resumed = decode_token(params["nextToken"])
                if not isinstance(resumed, dict):
                    raise InvalidToken(params["nextToken"])
            except InvalidToken:
                raise invalid("The specified nextToken is invalid.") from None
        cursors: list[_Cursor] = []
        seen: dict[str, int] = {}
        for (name, lines), lo, hi in zip(sources, low, high):
            n = seen[name] = seen.get(name, -1) + 1
            kept = resumed.get(name)
            kept = kept if isinstance(kept, list) else []
            position = kept[n] if n < len(kept) and isinstance(kept[n], int) else lo
            cursors.append(_Cursor(lines, max(position, lo), hi, True, MAX_EVENTS))
        events, complete = collect(cursors, True, params.get("limit", MAX_EVENTS), match,
                                   MAX_SCANNED)
        token = None
        if not complete:
            positions: dict[str, list[int]] = {}
            for (name, _), cursor in zip(sources, cursors):
                positions.setdefault(name, []).append(cursor.position)
            token = encode_token(positions)
        done = {name: True for name, _ in sources}
        for (name, _), cursor in zip(sources, cursors):
            done[name] = done[name] and cursor.done()
        return {
            "events": [{"logStreamName": sources[e.source][0], "timestamp": e.timestamp,
                        "message": e.message, "ingestionTime": e.timestamp,
                        "eventId": _event_id(sources[e.source][0], e)} for e in events],
            "searchedLogStreams": [{"logStreamName": name, "searchedCompletely": full}
                                   for name, full in done.items()],
            "nextToken": token,
        }
