"""Automatic model tuning: the strategies' search quality and the engine's per-trial cost.

    .venv/bin/python bench/tune_bench.py [--seeds 10] [--trials 30] [--engine-trials 12]

1. Search quality, in-process (Optuna with the sampler and pruner the service configures,
   on a known objective, no training jobs): Branin (2 continuous parameters, minimum
   0.397887), median over the seeds of the best value after N trials, Bayesian against
   Random, and the trial at which Bayesian first reaches Random's best after N (goal
   <= 15). The service's choice for this space (Optuna's GP sampler where PyTorch is
   installed) is measured beside TPE.
2. Hyperband against Random on simulated learning curves (Branin plus 5/epoch, 27
   epochs): the epochs Hyperband spends until its best finished trial is as good as
   Random's best after N full trials, over Random's N * 27 (goal <= 0.5).
3. Per-trial overhead through the engine (a live server, a Random tuning job of
   one-epoch trials of tests/tuning_support.SCRIPT one at a time, trial to trial) against
   an in-process Optuna loop running the same script with subprocess (goal <= 150 ms,
   median).
"""
from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import optuna  # noqa: E402

from jupyter_mlstudio.tuning.ranges import Definition, Range, SearchSpace  # noqa: E402
from jupyter_mlstudio.tuning.strategies import (gaussian_process_fits, pruner,  # noqa: E402
                                                sampler, startup_trials)
from tests.servers import start_server  # noqa: E402
from tests.tuning_support import SCRIPT, tuning_body  # noqa: E402

BRANIN_MIN = 0.397887
EPOCHS = 27
RANGES = (Range("x1", "Continuous", -5.0, 10.0, "Linear"),
          Range("x2", "Continuous", 0.0, 15.0, "Linear"))


def branin(x1: float, x2: float) -> float:
    b, c, t = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1 ** 2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


def spec(strategy: str, seed: int, trials: int, **config) -> dict:
    return {"HyperParameterTuningJobName": "bench", "Definitions": [
        {"TuningObjective": {"Type": "Minimize", "MetricName": "loss"}}],
        "HyperParameterTuningJobConfig": {
            "Strategy": strategy, "RandomSeed": seed, **config,
            "ResourceLimits": {"MaxNumberOfTrainingJobs": trials,
                               "MaxParallelTrainingJobs": 1}}}


def study_for(job: dict, space: SearchSpace, tpe: bool = False) -> optuna.Study:
    seed = job["HyperParameterTuningJobConfig"]["RandomSeed"]
    chosen = optuna.samplers.TPESampler(seed=seed, multivariate=True,
                                        n_startup_trials=startup_trials(job)) if tpe \
        else sampler(job, space)
    return optuna.create_study(direction="minimize", sampler=chosen, pruner=pruner(job))


def best_curve(strategy: str, seed: int, trials: int, tpe: bool = False) -> list[float]:
    space = SearchSpace([Definition("", RANGES)])
    study = study_for(spec(strategy, seed, trials), space, tpe)
    best, curve = math.inf, []
    for _ in range(trials):
        trial = study.ask()
        _, values = space.suggest(trial)
        value = branin(float(values["x1"]), float(values["x2"]))
        study.tell(trial, value)
        best = min(best, value)
        curve.append(best)
    return curve


def search_quality(seeds: int, trials: int) -> None:
    space = SearchSpace([Definition("", RANGES)])
    chosen = "GP" if gaussian_process_fits(space) else "TPE"
    labels = ["Random", f"Bayesian ({chosen})"]
    curves = {"Random": [best_curve("Random", s, trials) for s in range(seeds)]}
    start = time.perf_counter()
    curves[labels[1]] = [best_curve("Bayesian", s, trials) for s in range(seeds)]
    per_ask = (time.perf_counter() - start) / (seeds * trials)
    if chosen == "GP":  # the other choice, for comparison
        curves["Bayesian (TPE)"] = [best_curve("Bayesian", s, trials, tpe=True)
                                    for s in range(seeds)]
        labels.append("Bayesian (TPE)")
    print(f"Branin, minimum {BRANIN_MIN}; median over {seeds} seeds")
    print(f"{'strategy':18}" + "".join(f"{'best@' + str(n):>10}" for n in (10, 15, 20, trials))
          + f"{'reaches Random@' + str(trials):>20}")
    target = statistics.median(c[-1] for c in curves["Random"])
    for label in labels:
        medians = [statistics.median(c[n - 1] for c in curves[label])
                   for n in (10, 15, 20, trials)]
        at = statistics.median(next((i + 1 for i, v in enumerate(c) if v <= target),
                                    math.inf) for c in curves[label])
        shown = "" if label == "Random" else f"{at:20.1f}"
        print(f"{label:18}" + "".join(f"{m:10.4f}" for m in medians) + shown)
    ratio = statistics.median(c[-1] for c in curves[labels[1]]) / target
    print(f"the service's Bayesian choice here: {chosen}, {per_ask * 1000:.0f} ms per trial "
          "to suggest and record (in-process)")
    print(f"Bayesian/Random best@{trials} ratio: {ratio:.3f}; goal: Bayesian reaches "
          f"Random@{trials} by trial 15")


def curve_value(x1: float, x2: float, epoch: int, seed: int) -> float:
    return branin(x1, x2) + 5.0 / epoch


def hyperband_epochs(seed: int, trials: int) -> tuple[int, int]:
    """(Random's epochs for its best after ``trials``, Hyperband's to match it)."""
    space = SearchSpace([Definition("", RANGES)])
    random = study_for(spec("Random", seed, trials), space)
    best = math.inf
    for _ in range(trials):
        trial = random.ask()
        _, v = space.suggest(trial)
        value = curve_value(float(v["x1"]), float(v["x2"]), EPOCHS, seed)
        random.tell(trial, value)
        best = min(best, value)
    job = spec("Hyperband", seed, 500, StrategyConfig={"HyperbandStrategyConfig": {
        "MinResource": 1, "MaxResource": EPOCHS}})
    hyperband = study_for(job, space)
    spent, found = 0, math.inf
    for _ in range(500):
        trial = hyperband.ask()
        _, v = space.suggest(trial)
        pruned = False
        for epoch in range(1, EPOCHS + 1):
            spent += 1
            value = curve_value(float(v["x1"]), float(v["x2"]), epoch, seed)
            trial.report(value, epoch)
            if epoch < EPOCHS and trial.should_prune():
                pruned = True
                break
        if pruned:
            hyperband.tell(trial, state=optuna.trial.TrialState.PRUNED)
            continue
        hyperband.tell(trial, value)
        found = min(found, value)
        if found <= best:
            break
    return trials * EPOCHS, spent


def hyperband_cost(seeds: int, trials: int) -> None:
    pairs = [hyperband_epochs(s, trials) for s in range(seeds)]
    ratios = [h / r for r, h in pairs]
    print(f"Hyperband (1..{EPOCHS} epochs) against Random ({trials} trials x {EPOCHS} "
          f"epochs), median over {seeds} seeds")
    print(f"{'random epochs':>14}{'hyperband epochs':>18}{'ratio':>8}")
    print(f"{statistics.median(r for r, _ in pairs):14.0f}"
          f"{statistics.median(h for _, h in pairs):18.0f}{statistics.median(ratios):8.3f}")
    print("goal: ratio <= 0.5")


def stamp(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def engine_overhead(trials: int) -> None:
    with tempfile.TemporaryDirectory(prefix="mlstudio-tune-bench-") as tmp:
        home = Path(tmp) / "home"
        (home / "work").mkdir(parents=True)
        server = start_server(home)
        try:
            body = tuning_body("overhead", home / "work", strategy="Random",
                               max_jobs=trials + 1, parallel=1, static={"epochs": "1"})
            server.request("POST", "mlstudio/api/tuning-jobs", json=body).raise_for_status()
            while True:
                job = server.get("mlstudio/api/tuning-jobs/overhead").json()
                if job["HyperParameterTuningJobStatus"] in ("Completed", "Failed", "Stopped"):
                    break
                time.sleep(0.2)
            assert job["HyperParameterTuningJobStatus"] == "Completed", job
            trials_page = server.get("mlstudio/api/tuning-jobs/overhead/training-jobs",
                                     params={"MaxResults": "100",
                                             "SortBy": "CreationTime",
                                             "SortOrder": "Ascending"}).json()
        finally:
            server.stop()
        created = [stamp(t["CreationTime"]) for t in trials_page["TrainingJobSummaries"]]
        engine = [b - a for a, b in zip(created, created[1:])]
        script = Path(tmp) / "train.py"
        script.write_text(SCRIPT)
        space = SearchSpace([Definition("", (
            Range("x", "Continuous", 0.0, 1.0, "Linear"),
            Range("depth", "Integer", 1, 8, "Linear")))])
        study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=7))
        direct = []
        for _ in range(trials):
            start = time.perf_counter()
            trial = study.ask()
            _, values = space.suggest(trial)
            out = subprocess.run([sys.executable, str(script), "--epochs", "1",
                                  *[a for k, v in values.items() for a in (f"--{k}", v)]],
                                 capture_output=True, text=True, check=True).stdout
            study.tell(trial, float(out.split("loss=")[1].split()[0]))
            direct.append(time.perf_counter() - start)
    e, d = statistics.median(engine), statistics.median(direct)
    print(f"per trial, median of {trials}: engine {e * 1000:.0f} ms (trial start to next "
          f"trial start), in-process Optuna + subprocess {d * 1000:.0f} ms; overhead "
          f"{(e - d) * 1000:.0f} ms; ratio {e / d:.2f}")
    print("goal: overhead <= 150 ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--engine-trials", type=int, default=12)
    parser.add_argument("--parts", nargs="+", default=["quality", "hyperband", "overhead"],
                        choices=["quality", "hyperband", "overhead"])
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    if "quality" in args.parts:
        search_quality(args.seeds, args.trials)
        print()
    if "hyperband" in args.parts:
        hyperband_cost(args.seeds, args.trials)
        print()
    if "overhead" in args.parts:
        engine_overhead(args.engine_trials)
    print(json.dumps({"done": True}))


if __name__ == "__main__":
    main()
