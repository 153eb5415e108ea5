"""Metric parsing throughput: RE2 in the runner's worker thread against Python's ``re``
inline (what the runner did before), on the same log.

    .venv/bin/python bench/metric_bench.py [--mb 100]

The logs mix XGBoost-style evaluation lines, script-mode loss lines and noise (a
metric-dense one and a typical one); both sides use SageMaker's own metric regexes
and write the same points. Reported: lines per second for each, and the time one
``(a+)+$`` line of 5,000 ``a`` takes.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from jupyter_mlstudio.jobs.metrics import MetricParser, MetricWorker  # noqa: E402

DEFINITIONS = [
    {"Name": "train:loss", "Regex": r"train:loss=([0-9\.]+)"},
    {"Name": "validation:rmse",
     "Regex": r".*\[[0-9]+\].*#011validation-rmse:([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?).*"},
]


def make_log(mb: int, every: int) -> list[str]:
    """About ``mb`` MB of log where one line in ``every`` carries a metric."""
    lines, size, i = [], 0, 0
    while size < mb * 1024 * 1024:
        if i % every == 0:
            line = f"[{i}]#011train-rmse:0.{i % 997:04d}#011validation-rmse:0.{i % 991:04d}"
        elif i % every == 1:
            line = f"epoch {i} step {i * 7} train:loss={1 / (i + 1):.6f}"
        else:
            line = f"INFO reading shard {i} of the training set, 1024 rows, {i % 13} s"
        lines.append(line)
        size += len(line) + 1
        i += 1
    return lines


def python_re(lines: list[str], out: Path) -> float:
    """The runner's old inline matching with Python's re."""
    patterns = [(d["Name"], re.compile(d["Regex"])) for d in DEFINITIONS]
    t0 = time.perf_counter()
    with open(out, "w") as f:
        for line in lines:
            for name, pattern in patterns:
                m = pattern.search(line)
                if m:
                    f.write(json.dumps({"name": name, "value": float(m.group(1)),
                                        "timestamp": time.time()}) + "\n")
                    f.flush()
    return time.perf_counter() - t0


def re2_worker(lines: list[str], out: Path) -> float:
    """RE2 through the worker thread, as the runner now feeds it."""
    worker = MetricWorker(MetricParser(DEFINITIONS, out))
    raw = [line.encode() for line in lines]
    t0 = time.perf_counter()
    for start in range(0, len(raw), 1000):  # the runner hands over one read's lines
        while not worker.put(raw[start:start + 1000], timeout=0.2):
            pass
    while not worker.drained(timeout=0.2):
        pass
    elapsed = time.perf_counter() - t0
    worker.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=100)
    args = parser.parse_args()
    for every, label in ((3, "metric-dense: 2 lines in 3 carry a metric"),
                         (20, "typical: 2 lines in 20 carry a metric")):
        lines = make_log(args.mb, every)
        with tempfile.TemporaryDirectory() as tmp:
            old = python_re(lines, Path(tmp) / "old.jsonl")
            new = re2_worker(lines, Path(tmp) / "new.jsonl")
            same = (Path(tmp) / "old.jsonl").read_text().count("\n") == \
                (Path(tmp) / "new.jsonl").read_text().count("\n")
        print(f"{label}: {len(lines):,} lines ({args.mb} MB); same points: {same}")
        print(f"  python re, inline : {len(lines) / old:12,.0f} lines/s  ({old:.1f} s)")
        print(f"  RE2, worker thread: {len(lines) / new:12,.0f} lines/s  ({new:.1f} s)")
    evil = MetricParser([{"Name": "evil", "Regex": "(a+)+$"}], Path(tempfile.mktemp()))
    t0 = time.perf_counter()
    evil.feed("a" * 5000 + "!")
    print(f"(a+)+$ on 5,000 'a' + '!' with RE2: {(time.perf_counter() - t0) * 1e3:.2f} ms "
          "(Python re: does not finish)")
    evil.close()


if __name__ == "__main__":
    main()
