"""Logs with a time per line: the text stays as it was, each stream's index times it."""
from __future__ import annotations

import os
import subprocess
import sys

from jupyter_mlstudio.engine.joblog import (RECORD, CappedLog, ChildLog, LineBuffer,
                                            TimedLines, TimedLog, index_path, pump_lines,
                                            read_from)


def test_lines_keep_their_text_and_get_a_time_per_stream(tmp_path):
    path = tmp_path / "output.log"
    log = TimedLog(path)
    log.write("setting up", stream="algo-1")
    log.write("hello from 1", stream="algo-1", prefix="[algo-1] ")
    log.write("hello from 2", stream="algo-2", prefix="[algo-2] ")
    log.write("", stream="algo-2", prefix="[algo-2] ")  # a line, but no event
    log.write("bye", stream="algo-2", prefix="[algo-2] ")
    log.close()
    assert path.read_text() == ("setting up\n[algo-1] hello from 1\n[algo-2] hello from 2\n"
                                "[algo-2] \n[algo-2] bye\n")
    assert read_from(path, 0, 1 << 20)[0] == path.read_text()  # the REST reader's view
    one, two = TimedLines(path, "algo-1"), TimedLines(path, "algo-2")
    assert len(one) == 2 and len(two) == 2
    assert one.messages(one.records(0, 2)) == ["setting up", "hello from 1"]
    assert two.messages(two.records(0, 10)) == ["hello from 2", "bye"]
    times = [t for _, t in one.records(0, 2)] + [t for _, t in two.records(0, 2)]
    assert times == sorted(times)
    assert two.bisect(0) == 0 and two.bisect(times[-1] + 1) == 2


def test_times_never_go_back_and_survive_reopening(tmp_path):
    path = tmp_path / "x.log"
    log = TimedLog(path)
    future = log.write("from the future", at=10**15)
    log.write("now")
    log.close()
    again = TimedLog(path)  # reopened: continues after the last time it recorded
    again.write("later")
    again.close()
    lines = TimedLines(path)
    assert [t for _, t in lines.records(0, 3)] == [future] * 3
    assert lines.bisect(future) == 0 and lines.bisect(future + 1) == 3
    # A record cut short (a crash while writing) is dropped when the stream is next written.
    with open(index_path(path), "ab") as f:
        f.write(b"\x01\x02")
    assert len(TimedLines(path)) == 3
    resumed = TimedLog(path)
    resumed.write("after the crash")
    resumed.close()
    assert os.path.getsize(index_path(path)) == 4 * RECORD.size
    lines = TimedLines(path)
    assert lines.messages(lines.records(3, 4)) == ["after the crash"]


def test_a_capped_log_replays_its_tail_at_the_times_the_lines_came(tmp_path):
    path = tmp_path / "output.log"
    log = CappedLog(path, max_bytes=100, tail_lines=3, stream="algo-1")
    for i in range(30):
        log.write(f"line {i:02d} of the job")
    log.close()
    text = path.read_text()
    assert "log capped at 100 bytes" in text and text.endswith("line 29 of the job\n")
    lines = TimedLines(path, "algo-1")
    messages = lines.messages(lines.records(0, len(lines)))
    assert messages[-3:] == ["line 27 of the job", "line 28 of the job", "line 29 of the job"]
    assert messages[-4].startswith("[log capped at 100 bytes")
    times = [t for _, t in lines.records(0, len(lines))]
    assert times == sorted(times)


def test_an_unindexed_log_reads_as_one_stream_at_the_files_time(tmp_path):
    path = tmp_path / "old.log"
    path.write_text("first\n\nsecond\n")
    os.utime(path, (1_700_000_000, 1_700_000_000))
    lines = TimedLines(path, "algo-1", unindexed=True)
    assert lines.messages(lines.records(0, 5)) == ["first", "second"]
    assert [t for _, t in lines.records(0, 5)] == [1_700_000_000_000] * 2
    assert len(TimedLines(path, "algo-2")) == 0


def test_line_buffer_splits_long_runs_and_keeps_the_rest_for_the_end():
    buffer = LineBuffer(max_line=8)
    assert buffer.feed(b"ab\ncd") == [b"ab"]
    assert buffer.feed(b"efghijklm") == [b"cdefghijklm"]
    assert buffer.feed(b"n\no") == [b"n"]
    assert buffer.close() == [b"o"] and buffer.close() == []


def test_a_childs_output_is_timed_line_by_line(tmp_path):
    path = tmp_path / "instance-1.log"
    log = TimedLog(path)
    proc = subprocess.Popen([sys.executable, "-c", "print('one'); print('two', end='')"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    pump_lines(proc.stdout, log, "test").join(timeout=30)
    proc.wait(timeout=30)
    log.close()
    assert path.read_text() == "one\ntwo\n"
    lines = TimedLines(path)
    assert lines.messages(lines.records(0, 2)) == ["one", "two"]


def test_a_childs_capped_log_keeps_its_start_and_its_end(tmp_path):
    path = tmp_path / "output.log"
    log = ChildLog(path, max_bytes=2_000)
    log.write("starting the runner")
    child = subprocess.Popen([sys.executable, "-c", "for i in range(5000): print('row', i)"],
                             stdout=subprocess.PIPE)
    log.attach(child, "runner")
    child.wait()
    log.close()
    text = path.read_text()
    assert text.startswith("starting the runner\nrow 0\n")
    assert "log capped at 2000 bytes" in text and text.endswith("row 4999\n")
    assert len(text) < 2_000 + 200 * 12
