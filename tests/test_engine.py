"""The job engine's state machine: queue, stop, time-out, logs, restart and history."""
from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from jupyter_mlstudio.db import Database
from jupyter_mlstudio.db.models import Job, utcnow
from jupyter_mlstudio.engine.context import JobContext, JobFailed
from jupyter_mlstudio.engine.engine import JobEngine
from jupyter_mlstudio.engine.kinds import JobKind
from jupyter_mlstudio.engine.engine import RESTARTED

from tests.procs import eventually


class Work:
    """A kind whose jobs wait for the test to release them, so every state can be seen."""

    def __init__(self) -> None:
        self.release: dict[str, asyncio.Event] = {}
        self.started: dict[str, asyncio.Event] = {}
        self.cleaned: list[str] = []

    def gate(self, name: str) -> asyncio.Event:
        return self.release.setdefault(name, asyncio.Event())

    def began(self, name: str) -> asyncio.Event:
        return self.started.setdefault(name, asyncio.Event())

    async def run(self, job: JobContext) -> str:
        job.log(f"start {job.name}\n")
        job.report(step="started")
        self.began(job.name).set()
        try:
            await self.gate(job.name).wait()
        finally:
            self.cleaned.append(job.name)
        if job.spec.get("fail"):
            raise JobFailed(f"{job.name} failed as asked")
        job.result["answer"] = 42
        return f"{job.name} done"


def make_engine(tmp_path: Path, work: Work, timeout: float = 0.0, **config) -> JobEngine:
    db = Database(f"sqlite:///{tmp_path / 'engine.db'}")
    db.upgrade()
    engine = JobEngine(db=db, folder=tmp_path / "jobs", **config)
    engine.register(JobKind("toy", work.run, timeout=lambda: timeout,
                            cleanup_note="cleaned up"))
    return engine


async def ended(engine: JobEngine, job_id: str, timeout: float = 10.0) -> dict:
    job = await engine.settle("toy", job_id, timeout)
    assert job["status"] in {"Completed", "Failed", "Stopped"}, job
    return job


async def test_jobs_wait_for_capacity_then_run_in_order(tmp_path):
    work = Work()
    engine = make_engine(tmp_path, work, capacity={"toy": 2})
    await engine.start()
    a, b, c = [await engine.submit("toy", n, {}) for n in ("a", "b", "c")]
    await asyncio.wait_for(work.began("a").wait(), 5)
    await asyncio.wait_for(work.began("b").wait(), 5)
    await eventually(lambda: "2 of 2 runs" in engine.get("toy", c["id"])["message"], 5)
    assert engine.get("toy", c["id"])["status"] == "Pending"
    assert engine.get("toy", a["id"])["progress"] == {"step": "started"}
    work.gate("a").set()
    done = await ended(engine, a["id"])
    assert done["status"] == "Completed" and done["message"] == "a done"
    assert done["result"] == {"answer": 42} and done["started"] and done["ended"]
    await asyncio.wait_for(work.began("c").wait(), 5)  # a's slot went to c
    work.gate("b").set()
    work.gate("c").set()
    assert (await ended(engine, c["id"]))["status"] == "Completed"
    await engine.shutdown()


async def test_stop_a_waiting_and_a_running_job(tmp_path):
    work = Work()
    engine = make_engine(tmp_path, work)
    await engine.start()
    running = await engine.submit("toy", "run", {})
    waiting = await engine.submit("toy", "wait", {})
    await asyncio.wait_for(work.began("run").wait(), 5)
    stopped = await engine.stop("toy", waiting["id"])
    assert stopped["status"] == "Stopped" and "before it started" in stopped["message"]
    await engine.stop("toy", running["id"])
    job = await ended(engine, running["id"])
    assert job["status"] == "Stopped" and job["message"] == "stopped; cleaned up"
    assert work.cleaned == ["run"] and "wait" not in work.started
    page = engine.read_log("toy", running["id"], 0)
    assert "==> stopping" in page["text"] and page["complete"]
    # stopping an ended job changes nothing
    assert (await engine.stop("toy", running["id"]))["status"] == "Stopped"
    await engine.shutdown()


async def test_time_out_and_failure_end_with_their_reason(tmp_path):
    work = Work()
    engine = make_engine(tmp_path, work, timeout=0.5)
    await engine.start()
    slow = await engine.submit("toy", "slow", {})
    job = await ended(engine, slow["id"])
    assert job["status"] == "Failed"
    assert job["failure_reason"] == "timed out after 0.5 s; cleaned up", job
    assert work.cleaned == ["slow"]
    work.gate("bad").set()
    bad = await engine.submit("toy", "bad", {"fail": True})
    job = await ended(engine, bad["id"])
    assert (job["status"], job["failure_reason"]) == ("Failed", "bad failed as asked")
    await engine.shutdown()


async def test_log_follow_wakes_on_new_text_and_ends_with_or_without_follow(tmp_path):
    work = Work()
    engine = make_engine(tmp_path, work)
    await engine.start()
    job = await engine.submit("toy", "log", {})
    first = await engine.follow_log("toy", job["id"], 0, 10)
    assert first["text"] == "start log\n" and not first["complete"]
    follower = asyncio.ensure_future(
        engine.follow_log("toy", job["id"], first["next_offset"], 30))
    await asyncio.sleep(0)
    assert not follower.done()
    loop = asyncio.get_running_loop()
    began = loop.time()
    work.gate("log").set()
    page = await asyncio.wait_for(follower, 10)
    assert loop.time() - began < 10 and "==> Completed: log done" in page["text"]
    await ended(engine, job["id"])
    rest = await engine.follow_log("toy", job["id"], page["next_offset"], 30)
    assert rest["complete"] and rest["text"] == ""
    plain = engine.read_log("toy", job["id"], 0)  # no follow: complete all the same
    assert plain["complete"] and plain["text"].startswith("start log\n")
    await engine.shutdown()


async def test_restart_ends_a_lost_run_and_starts_waiting_ones(tmp_path):
    work = Work()
    engine = make_engine(tmp_path, work)
    await engine.start()
    running = await engine.submit("toy", "lost", {})
    waiting = await engine.submit("toy", "later", {})
    await asyncio.wait_for(work.began("lost").wait(), 5)
    # the server dies: nothing records the end, the run's task is gone with the process
    with engine.db.session() as s:
        s.get(Job, running["id"]).backend_state = {"server": "an-earlier-process",
                                                   "run": running["id"]}
    engine._closing = True  # the dead server's queue starts nothing more
    for task in [*engine._monitors.values(), engine._pump_task]:
        task.cancel()
    engine.db.dispose()

    work2 = Work()
    work2.gate("later").set()
    again = make_engine(tmp_path, work2)
    await again.start()
    lost = await ended(again, running["id"])
    assert lost["status"] == "Failed" and lost["failure_reason"] == f"{RESTARTED}; cleaned up"
    later = await ended(again, waiting["id"])
    assert later["status"] == "Completed" and later["message"] == "later done"
    await again.shutdown()
    work.gate("lost").set()
    await engine.shutdown()


async def test_server_stop_ends_running_work_with_a_reason(tmp_path):
    work = Work()
    engine = make_engine(tmp_path, work)
    await engine.start()
    job = await engine.submit("toy", "busy", {})
    await asyncio.wait_for(work.began("busy").wait(), 5)
    await engine.shutdown()
    record = engine.get("toy", job["id"])
    assert record["status"] == "Failed" and record["failure_reason"].startswith(RESTARTED)
    assert work.cleaned == ["busy"]


@pytest.mark.parametrize("by", ["count", "age"])
async def test_history_is_pruned_by_count_and_age(tmp_path, by):
    work = Work()
    engine = make_engine(tmp_path, work, keep_finished=2 if by == "count" else 100,
                         keep_days=1.0)
    await engine.start()
    ids = []
    for name in ("one", "two", "three"):
        work.gate(name).set()
        job = await engine.submit("toy", name, {})
        await ended(engine, job["id"])
        ids.append(job["id"])
    if by == "age":
        with engine.db.session() as s:
            s.get(Job, ids[0]).ended_at = utcnow() - timedelta(days=2)
        assert engine.prune() == 1
    kept = [j["name"] for j in engine.jobs("toy")]
    assert kept == ["three", "two"]
    assert not (tmp_path / "jobs" / "toy" / ids[0]).exists()
    assert (tmp_path / "jobs" / "toy" / ids[2] / "log").is_file()
    await engine.shutdown()


async def test_a_resumable_kind_picks_up_where_it_was_after_a_restart(tmp_path):
    runs: list[dict] = []

    async def count(job: JobContext) -> str:
        runs.append({"resumed": job.resumed, "from": job.progress.get("count", 0)})
        for n in range(job.progress.get("count", 0), 10):
            job.report(count=n + 1)
            if n == 2 and not job.resumed:
                await asyncio.Event().wait()  # the first run never gets further
        return f"counted to {job.progress['count']}"

    def engine_with_counter() -> JobEngine:
        db = Database(f"sqlite:///{tmp_path / 'engine.db'}")
        db.upgrade()
        engine = JobEngine(db=db, folder=tmp_path / "jobs")
        engine.register(JobKind("count", count, resumable=True))
        return engine

    engine = engine_with_counter()
    await engine.start()
    job = await engine.submit("count", "c", {})
    await eventually(lambda: engine.get("count", job["id"])["progress"].get("count") == 3, 5)
    await engine.shutdown()
    assert engine.get("count", job["id"])["status"] == "Pending"

    again = engine_with_counter()
    await again.start()
    done = await again.settle("count", job["id"], 10)
    assert (done["status"], done["message"]) == ("Completed", "counted to 10")
    assert runs == [{"resumed": False, "from": 0}, {"resumed": True, "from": 3}]
    assert "resumes at the next start" in again.read_log("count", job["id"], 0)["text"]
    await again.shutdown()
