"""CloudWatch Logs on the server: training jobs' logs through boto3's ``logs`` client and
the real SageMaker SDK (``logs_for_job`` and the polling it does while a job runs)."""
from __future__ import annotations

import re
import time

import pytest
import requests
from botocore.exceptions import ClientError

from tests.procs import wait_for
from tests.wire_support import (aws_client, printed, sdk_session, signed_post,
                                training_request, upload_source, wait_status, wire_fixtures,
                                wire_url)

pytestmark = [pytest.mark.slow]

GROUP = "/aws/sagemaker/TrainingJobs"
TERMINAL = {"Completed", "Failed", "Stopped"}
SCRIPT = b"""
import os, time
host = os.environ["SM_CURRENT_HOST"]
for i in range(int(os.environ["SM_HP_LINES"])):
    print(f"{host} line {i:02d}", flush=True)
    time.sleep(float(os.environ["SM_HP_PAUSE"]))
print("", flush=True)
print(f"{host} done", flush=True)
"""


server, environment, sm, logs, aas = wire_fixtures(
    "logs", "--LocalBackend.max_concurrent_jobs=6")


@pytest.fixture(scope="module")
def source(server):
    return upload_source(server, "logs/source/sourcedir.tar.gz", SCRIPT)


def start_job(sm, source: str, name: str, lines: int, pause: float = 0.0,
              count: int = 1) -> None:
    request = training_request(name, source, count=count)
    request["HyperParameters"].update(lines=str(lines), pause=str(pause))
    sm.create_training_job(**request)


def expected(host: str, lines: int) -> list[str]:
    return [f"{host} line {i:02d}" for i in range(lines)] + [f"{host} done"]


@pytest.fixture(scope="module")
def finished(sm, source):
    """Two finished jobs: one host with 30 lines, two hosts with 3 lines each."""
    start_job(sm, source, "logs-one", 30)
    start_job(sm, source, "logs-two", 3, count=2)
    jobs = {name: wait_status(sm, name, TERMINAL) for name in ("logs-one", "logs-two")}
    for job in jobs.values():
        assert job["TrainingJobStatus"] == "Completed", job.get("FailureReason")
    return jobs


def stream_name(job: dict, host: str = "algo-1") -> str:
    return f"{job['TrainingJobName']}/{host}-{int(job['CreationTime'].timestamp())}"


def read_forward(logs, stream: str, **kwargs) -> list[dict]:
    """Every event of ``stream`` page by page, until the forward token comes back."""
    events, token = [], None
    while True:
        reply = logs.get_log_events(logGroupName=GROUP, logStreamName=stream,
                                    startFromHead=True, **kwargs,
                                    **({"nextToken": token} if token else {}))
        events += reply["events"]
        if reply["nextForwardToken"] == token:
            assert reply["events"] == []
            return events
        token = reply["nextForwardToken"]


def test_a_finished_jobs_stream_reads_page_by_page(server, logs, finished):
    job = finished["logs-one"]
    described = logs.describe_log_streams(logGroupName=GROUP, logStreamNamePrefix="logs-one/",
                                          orderBy="LogStreamName", limit=1)
    assert [s["logStreamName"] for s in described["logStreams"]] == [stream_name(job)]
    assert "nextToken" not in described
    stream = described["logStreams"][0]
    assert stream["creationTime"] == int(job["CreationTime"].timestamp()) * 1000
    events = read_forward(logs, stream_name(job), limit=7)
    messages = [e["message"] for e in events]
    assert [m for m in messages if m.startswith("algo-1 ")] == expected("algo-1", 30)
    assert all(m and not m.endswith("\n") for m in messages)
    stamps = [e["timestamp"] for e in events]
    assert stamps == sorted(stamps) and all(e["ingestionTime"] >= e["timestamp"]
                                            for e in events)
    assert stream["firstEventTimestamp"] == stamps[0]
    assert stream["lastEventTimestamp"] == stamps[-1]
    # The REST log route reads the same file, unchanged.
    text = server.get("mlstudio/api/training-jobs/logs-one/logs").json()["text"]
    assert "algo-1 line 00\nalgo-1 line 01\n" in text

    newest = logs.get_log_events(logGroupName=GROUP, logStreamName=stream_name(job), limit=3)
    assert [e["message"] for e in newest["events"]] == messages[-3:]
    before = logs.get_log_events(logGroupName=GROUP, logStreamName=stream_name(job), limit=3,
                                 nextToken=newest["nextBackwardToken"])
    assert [e["message"] for e in before["events"]] == messages[-6:-3]
    at_end = logs.get_log_events(logGroupName=GROUP, logStreamName=stream_name(job),
                                 nextToken=newest["nextForwardToken"])
    assert at_end["events"] == []
    assert at_end["nextForwardToken"] == newest["nextForwardToken"]
    window = logs.get_log_events(logGroupName=GROUP, logStreamName=stream_name(job),
                                 startTime=stamps[-1], startFromHead=True)
    assert window["events"] and all(e["timestamp"] == stamps[-1] for e in window["events"])
    assert logs.get_log_events(logGroupName=GROUP, logStreamName=stream_name(job),
                               endTime=stamps[0])["events"] == []  # endTime is exclusive


def test_each_host_has_its_own_stream(server, logs, finished):
    job = finished["logs-two"]
    names = [s["logStreamName"] for s in logs.describe_log_streams(
        logGroupName=GROUP, logStreamNamePrefix="logs-two/")["logStreams"]]
    assert names == [stream_name(job, "algo-1"), stream_name(job, "algo-2")]
    for host in ("algo-1", "algo-2"):
        messages = [e["message"] for e in read_forward(logs, stream_name(job, host))]
        assert [m for m in messages if m.startswith("algo-")] == expected(host, 3)
    text = server.get("mlstudio/api/training-jobs/logs-two/logs").json()["text"]
    assert "[algo-2] algo-2 line 00\n" in text  # one file, prefixed, as before
    by_time = logs.describe_log_streams(logGroupName=GROUP, orderBy="LastEventTime",
                                        descending=True, limit=50)["logStreams"]
    times = [s.get("lastEventTimestamp", 0) for s in by_time]
    assert times == sorted(times, reverse=True) and set(names) <= {
        s["logStreamName"] for s in by_time}


def test_filter_log_events_across_streams(logs, finished):
    two = finished["logs-two"]
    reply = logs.filter_log_events(logGroupName=GROUP, logStreamNamePrefix="logs-two/",
                                   filterPattern="line 01")
    assert sorted((e["logStreamName"], e["message"]) for e in reply["events"]) == [
        (stream_name(two, "algo-1"), "algo-1 line 01"),
        (stream_name(two, "algo-2"), "algo-2 line 01")]
    assert "nextToken" not in reply
    assert {s["logStreamName"] for s in reply["searchedLogStreams"]} == {
        stream_name(two, "algo-1"), stream_name(two, "algo-2")}
    either = logs.filter_log_events(logGroupName=GROUP, logStreamNamePrefix="logs-two/",
                                    filterPattern='?done ?"line 00"')["events"]
    assert sorted(e["message"] for e in either) == [
        "algo-1 done", "algo-1 line 00", "algo-2 done", "algo-2 line 00"]
    excluded = logs.filter_log_events(
        logGroupName=GROUP, logStreamNames=[stream_name(two, "algo-2")],
        filterPattern="algo -line")["events"]
    assert [e["message"] for e in excluded] == ["algo-2 done"]
    regex = logs.filter_log_events(logGroupName=GROUP, logStreamNamePrefix="logs-one/",
                                   filterPattern="%line 2[0-4]%")["events"]
    assert [e["message"] for e in regex] == [f"algo-1 line {i}" for i in range(20, 25)]
    # Page by page, one event at a time, the same events as GetLogEvents reads.
    one = finished["logs-one"]
    paged, token = [], None
    while True:
        page = logs.filter_log_events(logGroupName=GROUP, logStreamNamePrefix="logs-one/",
                                      limit=4, **({"nextToken": token} if token else {}))
        paged += page["events"]
        token = page.get("nextToken")
        if not token:
            break
    assert [e["message"] for e in paged] == [
        e["message"] for e in read_forward(logs, stream_name(one))]
    assert len({e["eventId"] for e in paged}) == len(paged)


def test_a_running_jobs_log_is_followed_with_forward_tokens(sm, logs, source):
    start_job(sm, source, "logs-follow", 12, pause=0.25)
    stream = wait_for(lambda: [s["logStreamName"] for s in logs.describe_log_streams(
        logGroupName=GROUP, logStreamNamePrefix="logs-follow/")["logStreams"]])[0]
    messages, token, partial = [], None, []
    while True:
        ended = sm.describe_training_job(
            TrainingJobName="logs-follow")["TrainingJobStatus"] in TERMINAL
        while True:  # what is there now, until the token comes back unchanged
            reply = logs.get_log_events(logGroupName=GROUP, logStreamName=stream,
                                        startFromHead=True,
                                        **({"nextToken": token} if token else {}))
            messages += [e["message"] for e in reply["events"]]
            if reply["nextForwardToken"] == token:
                break
            token = reply["nextForwardToken"]
        if ended:
            break
        partial.append(len([m for m in messages if m.startswith("algo-1 ")]))
        time.sleep(0.2)
    assert [m for m in messages if m.startswith("algo-1 ")] == expected("algo-1", 12)
    # Read while the job ran: some read made then had part of the log, not none nor all.
    assert any(0 < n < 13 for n in partial), partial


def host_lines(out: str, host: str) -> list[str]:
    """The lines of ``host`` the SDK printed (its status message and the first log line
    share a line: it prints the message without a newline)."""
    return re.findall(rf"{host} (?:line \d+|done)", out)


def test_sdk_logs_for_job_prints_every_hosts_lines(server, environment, monkeypatch, capsys,
                                                   finished):
    session = sdk_session(server, environment, monkeypatch)
    session.logs_for_job("logs-one", wait=True)
    out = printed(capsys)
    assert host_lines(out, "algo-1") == expected("algo-1", 30)
    assert "Training seconds:" in out
    session.logs_for_job("logs-two", wait=True)
    out = printed(capsys)
    for host in ("algo-1", "algo-2"):
        assert host_lines(out, host) == expected(host, 3)


def test_sdk_polling_prints_a_running_jobs_lines_once(server, environment, monkeypatch,
                                                      capsys, source, sm):
    """What ``logs_for_job(wait=True)`` does every ``poll`` seconds, at a faster pace."""
    from sagemaker.logs import ColorWrap
    from sagemaker.session import _flush_log_streams

    session = sdk_session(server, environment, monkeypatch)
    client = session.boto_session.client("logs")
    start_job(sm, source, "logs-sdk-follow", 12, pause=0.25)
    positions: dict = {}
    out, partial = "", []
    while True:
        ended = sm.describe_training_job(
            TrainingJobName="logs-sdk-follow")["TrainingJobStatus"] in TERMINAL
        _flush_log_streams([], 1, client, GROUP, "logs-sdk-follow", positions, False,
                           ColorWrap())
        out += printed(capsys)
        if ended:
            break
        partial.append(len(host_lines(out, "algo-1")))
        time.sleep(0.2)
    assert host_lines(out, "algo-1") == expected("algo-1", 12)
    # Printed while the job ran: some flush then had printed part of it, not none nor all.
    assert any(0 < n < 13 for n in partial), partial


def test_unknown_groups_and_streams_and_bad_requests(server, environment, logs, finished):
    cases = [
        (logs.get_log_events, {"logGroupName": "/aws/sagemaker/Nope", "logStreamName": "x"},
         "ResourceNotFoundException", "The specified log group does not exist."),
        (logs.describe_log_streams, {"logGroupName": "/aws/sagemaker/Endpoints/nope"},
         "ResourceNotFoundException", "The specified log group does not exist."),
        (logs.get_log_events, {"logGroupName": GROUP, "logStreamName": "logs-one/algo-9-1"},
         "ResourceNotFoundException", "The specified log stream does not exist."),
        (logs.get_log_events, {"logGroupName": GROUP,
                               "logStreamName": stream_name(finished["logs-one"]),
                               "nextToken": "f/nope"},
         "InvalidParameterException", "The specified nextToken is invalid."),
        (logs.describe_log_streams, {"logGroupName": GROUP, "logStreamNamePrefix": "logs",
                                     "orderBy": "LastEventTime"},
         "InvalidParameterException",
         "Cannot order by LastEventTime with a logStreamNamePrefix."),
    ]
    for call, kwargs, code, message in cases:
        with pytest.raises(ClientError) as err:
            call(**kwargs)
        assert err.value.response["Error"] == {"Code": code, "Message": message}, kwargs
        assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(ClientError) as err:
        logs.filter_log_events(logGroupName=GROUP, filterPattern='{ $.level = "x" }')
    assert err.value.response["Error"]["Code"] == "InvalidParameterException"
    unchecked = aws_client(server, environment, "logs", parameter_validation=False)
    with pytest.raises(ClientError) as err:
        unchecked.get_log_events(logGroupName=GROUP, logStreamName="x", limit=0)
    assert err.value.response["Error"]["Code"] == "InvalidParameterException"
    assert "limit" in err.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as err:
        logs.describe_log_groups()
    assert "not supported" in err.value.response["Error"]["Message"]


def test_unsigned_or_wrongly_scoped_requests_are_refused(server, environment):
    target = {"X-Amz-Target": "Logs_20140328.DescribeLogStreams",
              "Content-Type": "application/x-amz-json-1.1"}
    bare = requests.post(wire_url(server, "logs"), data=b"{}", headers=target, timeout=10)
    assert bare.status_code == 403
    assert bare.json()["__type"] == "MissingAuthenticationTokenException"
    body = b'{"logGroupName": "/aws/sagemaker/TrainingJobs"}'
    scoped = signed_post(server, environment, "logs", "Logs_20140328.DescribeLogStreams", body,
                         signing_name="sagemaker")
    assert scoped.status_code == 403 and scoped.json()["__type"] == "InvalidSignatureException"
    signed = signed_post(server, environment, "logs", "Logs_20140328.DescribeLogStreams", body)
    assert signed.status_code == 200 and "logStreams" in signed.json()
