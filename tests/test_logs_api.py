"""CloudWatch Logs semantics over timed logs, without a server: merged streams, tokens
both ways, filter patterns and their pages."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from jupyter_mlstudio.aws.filter_pattern import compile_pattern
from jupyter_mlstudio.aws.json_protocol import AwsError
from jupyter_mlstudio.aws.logs_api import TRANSFORM_GROUP, LogsApi
from jupyter_mlstudio.engine.joblog import JobLogs, TimedLines, TimedLog

CREATED = datetime(2026, 1, 1, tzinfo=timezone.utc)
STREAM = f"batch/instance-1-{int(CREATED.timestamp())}"


class Transforms:
    def __init__(self, jobs):
        self.jobs = jobs

    def timed_logs(self, name="", exact=False):
        return [j for j in self.jobs if (j.name == name if exact else j.name.startswith(name))]


class Serving:
    def __init__(self, jobs):
        self.transforms = Transforms(jobs)


@pytest.fixture
def api(tmp_path):
    """A transform job whose first instance's stream merges two logs by time."""
    instance, runner = TimedLog(tmp_path / "instance-1.log"), TimedLog(tmp_path / "output.log")
    for i in range(10):  # interleaved in time: instance at 1000, 1020…, runner at 1010…
        instance.write(f"instance {i}", at=1000 + 20 * i)
        runner.write(f"runner {i}", at=1010 + 20 * i)
    instance.close()
    runner.close()
    job = JobLogs("batch", CREATED, {"instance-1": [TimedLines(tmp_path / "instance-1.log"),
                                                    TimedLines(tmp_path / "output.log")]})
    return LogsApi(training=None, serving=Serving([job]), region="us-east-1")


def get(api, **params):
    return api.get_log_events({"logGroupName": TRANSFORM_GROUP, "logStreamName": STREAM,
                               **params})


def messages(reply):
    return [e["message"] for e in reply["events"]]


def test_a_stream_of_two_logs_reads_in_time_order_both_ways(api):
    everything = [f"{kind} {i}" for i in range(10) for kind in ("instance", "runner")]
    first = get(api, startFromHead=True, limit=3)
    assert messages(first) == everything[:3]
    second = get(api, nextToken=first["nextForwardToken"], limit=3)
    assert messages(second) == everything[3:6]
    back = get(api, nextToken=second["nextBackwardToken"], limit=2)
    assert messages(back) == everything[1:3]
    newest = get(api, limit=4)  # no token, not from the head: the latest events
    assert messages(newest) == everything[-4:]
    at_end = get(api, nextToken=newest["nextForwardToken"])
    assert at_end["events"] == [] and at_end["nextForwardToken"] == newest["nextForwardToken"]
    older = get(api, nextToken=newest["nextBackwardToken"], limit=100)
    assert messages(older) == everything[:-4]
    start = get(api, nextToken=older["nextBackwardToken"])
    assert start["events"] == [] and start["nextBackwardToken"] == older["nextBackwardToken"]
    window = get(api, startTime=1020, endTime=1050, startFromHead=True)
    assert messages(window) == ["instance 1", "runner 1", "instance 2"]  # 1020, 1030, 1040
    with pytest.raises(AwsError) as err:
        get(api, nextToken="f/1")  # a token for one log, not two
    assert err.value.code == "InvalidParameterException"


def test_filter_pages_resume_where_they_stopped(api):
    request = {"logGroupName": TRANSFORM_GROUP, "filterPattern": "?runner ?9", "limit": 4}
    found, token = [], None
    while True:
        reply = api.filter_log_events({**request, **({"nextToken": token} if token else {})})
        assert len(reply["events"]) <= 4
        found += messages(reply)
        token = reply.get("nextToken")
        if token is None:
            break
    assert found == [f"runner {i}" for i in range(9)] + ["instance 9", "runner 9"]
    with pytest.raises(AwsError):
        api.filter_log_events({**request, "nextToken": "not a token"})


@pytest.mark.parametrize("pattern, matched", [
    ("", ["ERROR disk full", "WARN slow", "INFO ok"]),
    ("ERROR", ["ERROR disk full"]),
    ("ERROR full", ["ERROR disk full"]),
    ("ERROR nope", []),
    ('"disk full"', ["ERROR disk full"]),
    ("?ERROR ?WARN", ["ERROR disk full", "WARN slow"]),
    ("-ERROR", ["WARN slow", "INFO ok"]),
    ("%^[A-Z]{4} %", ["WARN slow", "INFO ok"]),
])
def test_filter_patterns(pattern, matched):
    match = compile_pattern(pattern)
    assert [m for m in ["ERROR disk full", "WARN slow", "INFO ok"] if match(m)] == matched


@pytest.mark.parametrize("pattern", ['{ $.level = "ERROR" }', "[ip, user]", "%(unclosed%"])
def test_unsupported_filter_patterns_say_so(pattern):
    with pytest.raises(ValueError):
        compile_pattern(pattern)
