"""One run of a tuning job: ask the study, start trials, follow them, tell the study.

The run keeps its trials in its job's progress (``Trials``: each trial's training job,
hyperparameters, objective values seen and outcome), so describing a tuning job needs
neither Optuna nor the study; the study keeps what the optimiser needs. A run taken up
again after a server restart finds both where they were: trials still running are
followed on, a trial asked for but never started fails.
"""
from __future__ import annotations

import asyncio
import logging
import math
import secrets
import time
from typing import Any

from ..engine.context import JobContext, JobFailed
from ..sagemaker.errors import ResourceNotFound, ValidationError
from ..sagemaker.statuses import COMPLETED, STOPPED, TERMINAL
from .ranges import SearchSpace
from .spec import objective_metrics, search_space, training_request
from .strategies import max_resource
from .study import DEFINITION, HYPERPARAMETERS, TRAINING_JOB, Studies

log = logging.getLogger(__name__)
#: how long a run waits for news of its trials before it looks anyway
WAKE = 2.0
#: a tuning job whose first trials all fail (this many, or all it may run) fails
FIRST_FAILURES = 5
#: Enabled convergence: this many trials with an objective, and the best of the latest
#: half within CONVERGED_TOLERANCE (relative) of the best overall
CONVERGED_MIN_TRIALS = 10
CONVERGED_TOLERANCE = 1e-3
SUCCEEDED, PENDING, FAILED = "Succeeded", "Pending", "Failed"


class TuningRun:
    """Drives one tuning job (see the module docstring)."""

    def __init__(self, ctx: JobContext, training: Any, studies: Studies, engine: Any,
                 region_arn: str) -> None:
        self.ctx = ctx
        self.spec = ctx.spec
        self.training = training
        self.studies = studies
        self.engine = engine
        self.arn = region_arn
        config = self.spec["HyperParameterTuningJobConfig"]
        self.limits = config["ResourceLimits"]
        self.criteria = config.get("TuningJobCompletionCriteria") or {}
        self.maximize = self.spec["Definitions"][0]["TuningObjective"]["Type"] == "Maximize"
        self.metric = objective_metrics(self.spec)
        self.max_resource = max_resource(self.spec)
        self.trials: list[dict[str, Any]] = [dict(t) for t in ctx.progress.get("Trials", [])]
        self.optuna_trials: dict[int, Any] = {}
        self.space: SearchSpace = search_space(self.spec)
        self.study: Any = None
        self.done_reason = ""

    # -- the loop ---------------------------------------------------------------------------
    async def run(self) -> str:
        fresh = "StartedAt" not in self.ctx.progress
        self.study = await asyncio.to_thread(self.studies.open, self.spec, self.space, fresh)
        if fresh:
            self.ctx.report(StartedAt=time.time(), Trials=[])
            await self._warm_start()
        else:
            self.ctx.log(f"resuming with {len(self.trials)} training jobs started\n")
            await asyncio.to_thread(self._reattach)
        try:
            while True:
                running = [t for t in self.trials if not t["Done"]]
                tickets = [self._ticket(t["TrainingJobName"]) for t in running]
                await self._follow(running)
                if not self.done_reason:
                    self.done_reason = self._completion()
                    if self.done_reason:
                        self.ctx.log(f"{self.done_reason}\n")
                        await self._stop_trials("the tuning job is complete")
                if not self.done_reason:
                    tickets += await self._launch()
                running = [t for t in self.trials if not t["Done"]]
                if not running and (self.done_reason or self._launched_all()):
                    break
                await self.engine.bells.wait_any(tickets, WAKE)
        except asyncio.CancelledError:
            if not self.engine.closing:  # a user's stop: the trials stop too
                await self._stop_trials("the tuning job was stopped", wait=True)
            raise
        return self._outcome()

    def _launched_all(self) -> bool:
        if len(self.trials) >= self.limits["MaxNumberOfTrainingJobs"]:
            return True
        return self.space.grid and len(self.trials) >= self.space.size()

    def _outcome(self) -> str:
        succeeded = [t for t in self.trials if t["ObjectiveStatus"] == SUCCEEDED]
        if not succeeded:
            last = next((t.get("FailureReason") for t in reversed(self.trials)
                         if t.get("FailureReason")), "no objective metric was found")
            raise JobFailed(f"All training jobs failed ({len(self.trials)} run); the last "
                            f"one: {last}")
        best = self.progress_best()
        return (f"{len(self.trials)} training jobs run, {len(succeeded)} with an objective; "
                f"best {best['TrainingJobName']} ({self._metric_of(best)} = "
                f"{best['Objective']:g})" + (f"; {self.done_reason}" if self.done_reason
                                             else ""))

    def _metric_of(self, trial: dict[str, Any]) -> str:
        return self.metric.get(trial.get("DefinitionName") or "", next(iter(
            self.metric.values())))

    # -- starting trials -------------------------------------------------------------------
    async def _warm_start(self) -> None:
        warm = self.spec.get("WarmStartConfig")
        if not warm:
            return
        parents = [p["HyperParameterTuningJobName"]
                   for p in warm["ParentHyperParameterTuningJobs"]]
        added = await asyncio.to_thread(self.studies.seed, self.study, self.space, parents)
        self.ctx.log(f"warm start ({warm['WarmStartType']}): {added} training jobs of "
                     f"{', '.join(parents)} seed the search\n")

    def _ticket(self, training_job: str) -> Any:
        """A ticket for news of a trial's training job (taken before looking at it)."""
        return self.engine.bells.ticket(self.training.job_id(training_job))

    async def _launch(self) -> list[Any]:
        """Start trials while there is room; tickets for news of them."""
        tickets = []
        running = sum(1 for t in self.trials if not t["Done"])
        while (running < self.limits["MaxParallelTrainingJobs"]
               and not self._launched_all() and not self.done_reason):
            trial = await asyncio.to_thread(self.study.ask)
            definition, tuned = self.space.suggest(trial)
            number = len(self.trials) + 1
            name = f"{self.spec['HyperParameterTuningJobName']}-{number:03d}-" \
                   f"{secrets.token_hex(4)}"
            record = {"TrainingJobName": name, "Number": number, "TrialId": trial._trial_id,
                      "DefinitionName": definition, "TunedHyperParameters": tuned,
                      "Steps": 0, "LastMetricId": 0, "Last": None, "EarlyStopped": False,
                      "Done": False, "Objective": None, "ObjectiveStatus": PENDING}
            self.optuna_trials[trial._trial_id] = trial
            tickets.append(self._ticket(name))
            await asyncio.to_thread(self._mark, trial, name, definition, tuned)
            self.trials.append(record)
            self._save()
            d = next(d for d in self.spec["Definitions"]
                     if (d.get("DefinitionName") or "") == definition)
            try:
                await self.training.create(training_request(d, name, tuned),
                                           tuning_job_arn=self.arn)
            except ValidationError as err:
                await self._tell(record, None, f"the training job could not be created: "
                                 f"{err.message}")
                raise JobFailed(f"cannot create training job {name}: {err.message}") from None
            self.ctx.log(f"started {name}: " + ", ".join(
                f"{k}={v}" for k, v in tuned.items()) + "\n")
            running += 1
        return tickets

    def _mark(self, trial: Any, name: str, definition: str, tuned: dict[str, str]) -> None:
        trial.set_user_attr(TRAINING_JOB, name)
        trial.set_user_attr(DEFINITION, definition)
        trial.set_user_attr(HYPERPARAMETERS, tuned)

    def _reattach(self) -> None:
        """After a restart: Optuna's handles of the running trials; a trial asked for
        whose training job never started fails."""
        import optuna

        known = {t["TrialId"] for t in self.trials}
        for frozen in self.study.get_trials(deepcopy=False,
                                            states=(optuna.trial.TrialState.RUNNING,)):
            if frozen._trial_id not in known:
                self.study.tell(frozen.number, state=optuna.trial.TrialState.FAIL)
        for t in self.trials:
            if not t["Done"]:
                self.optuna_trials[t["TrialId"]] = optuna.trial.Trial(self.study, t["TrialId"])

    # -- following trials ------------------------------------------------------------------
    async def _follow(self, running: list[dict[str, Any]]) -> None:
        changed = False
        for t in running:
            changed |= await self._follow_one(t)
        if changed:
            self._save()

    async def _follow_one(self, t: dict[str, Any]) -> bool:
        name = t["TrainingJobName"]
        try:
            job = await asyncio.to_thread(self.training.record, name)
        except ResourceNotFound:
            await self._tell(t, None, "its training job was never created (the server "
                                      "stopped first)")
            return True
        points = await asyncio.to_thread(self.training.metrics, name, t["LastMetricId"])
        values = [p["value"] for p in points["metrics"].get(self._metric_of(t), [])
                  if math.isfinite(p["value"])]
        t["LastMetricId"] = points["last_id"]
        changed = bool(values)
        if values:
            await asyncio.to_thread(self._report, t, values)
        if job.status in TERMINAL:
            await self._tell(t, job.status, job.failure_reason)
            return True
        if job.status != STOPPED and not t.get("StopReason"):
            reason = await asyncio.to_thread(self._should_stop, t)
            if reason:
                t["StopReason"] = reason
                t["EarlyStopped"] = reason == "early"
                why = "its objective is behind the other training jobs'" if reason == "early" \
                    else f"it has reached MaxResource ({self.max_resource})"
                self.ctx.log(f"stopping {name}: {why}\n")
                await self._stop_job(name)
                changed = True
        return changed

    def _report(self, t: dict[str, Any], values: list[float]) -> None:
        trial = self.optuna_trials.get(t["TrialId"])
        for value in values:
            t["Steps"] += 1
            t["Last"] = value
            if trial is not None:
                trial.report(value, t["Steps"])

    def _should_stop(self, t: dict[str, Any]) -> str:
        if not t["Steps"]:
            return ""
        if self.max_resource is not None and t["Steps"] >= self.max_resource:
            return "max-resource"
        trial = self.optuna_trials.get(t["TrialId"])
        return "early" if trial is not None and trial.should_prune() else ""

    async def _stop_job(self, name: str) -> None:
        try:
            await self.training.stop(name)
        except (ValidationError, ResourceNotFound):
            pass  # it has ended meanwhile

    async def _tell(self, t: dict[str, Any], status: str | None, reason: str | None) -> None:
        """Record a trial's end in its record and in the study."""
        import optuna

        value = t["Last"]
        early = t.get("StopReason") in ("early", "max-resource")
        if value is not None and (status == COMPLETED or (status == STOPPED and early)):
            t["Objective"], t["ObjectiveStatus"] = value, SUCCEEDED
            state = optuna.trial.TrialState.PRUNED if t.get("StopReason") == "early" \
                else optuna.trial.TrialState.COMPLETE
        else:
            t["ObjectiveStatus"] = FAILED
            state = optuna.trial.TrialState.FAIL
            if status == COMPLETED:
                reason = f"the objective metric {self._metric_of(t)!r} was not found in " \
                         "its log"
        if reason and t["ObjectiveStatus"] == FAILED:
            t["FailureReason"] = reason
        t["Done"] = True
        trial = self.optuna_trials.pop(t["TrialId"], None)
        number = trial.number if trial is not None else None
        if number is not None:
            values = t["Objective"] if state == optuna.trial.TrialState.COMPLETE else None
            await asyncio.to_thread(self._tell_study, number, values, state)
        self._track_best(t)
        self.ctx.log(f"{t['TrainingJobName']}: {status or 'not started'}, objective "
                     + (f"{t['Objective']:g}" if t["Objective"] is not None else "none")
                     + (f" ({reason})" if reason and t["ObjectiveStatus"] == FAILED else "")
                     + "\n")

    def _tell_study(self, number: int, values: float | None, state: Any) -> None:
        try:
            self.study.tell(number, values, state)
        except RuntimeError as err:
            # The grid sampler stops an exhausted study, which Optuna allows only inside
            # its own optimize loop; the trial is recorded all the same.
            if "Study.stop" not in str(err):
                raise

    def progress_best(self) -> dict[str, Any]:
        return next(t for t in self.trials if t["TrainingJobName"] ==
                    self.ctx.progress.get("Best"))

    def _better(self, a: float, b: float) -> bool:
        return a > b if self.maximize else a < b

    def _track_best(self, t: dict[str, Any]) -> None:
        progress = self.ctx.progress
        if t["ObjectiveStatus"] != SUCCEEDED:
            return
        best = progress.get("Best")
        best_value = next((x["Objective"] for x in self.trials
                           if x["TrainingJobName"] == best), None)
        if best_value is None or self._better(t["Objective"], best_value):
            progress["Best"], progress["NotImproving"] = t["TrainingJobName"], 0
        else:
            progress["NotImproving"] = progress.get("NotImproving", 0) + 1

    # -- ending ----------------------------------------------------------------------------
    def _completion(self) -> str:
        """Why the tuning job is complete before its budget is spent, or ''."""
        progress = self.ctx.progress
        succeeded = [t for t in self.trials if t["ObjectiveStatus"] == SUCCEEDED]
        failed = [t for t in self.trials if t["ObjectiveStatus"] == FAILED]
        if not succeeded and len(failed) >= min(FIRST_FAILURES,
                                                self.limits["MaxNumberOfTrainingJobs"]):
            return f"the first {len(failed)} training jobs all failed"
        limit = self.limits.get("MaxRuntimeInSeconds")
        if limit and time.time() - progress["StartedAt"] > limit:
            return f"MaxRuntimeInSeconds ({limit}) reached"
        if not succeeded:
            return ""
        best = self.progress_best()["Objective"]
        target = self.criteria.get("TargetObjectiveMetricValue")
        if target is not None and (best >= target if self.maximize else best <= target):
            return f"the objective reached TargetObjectiveMetricValue {target:g}"
        patience = (self.criteria.get("BestObjectiveNotImproving") or {}).get(
            "MaxNumberOfTrainingJobsNotImproving")
        if patience and progress.get("NotImproving", 0) >= patience:
            return f"the best objective has not improved in {patience} training jobs"
        if (self.criteria.get("ConvergenceDetected") or {}).get(
                "CompleteOnConvergence") == "Enabled" and self._converged(succeeded):
            progress["ConvergenceDetectedTime"] = time.time()
            return "the search has converged"
        return ""

    def _converged(self, succeeded: list[dict[str, Any]]) -> bool:
        if len(succeeded) < CONVERGED_MIN_TRIALS:
            return False
        values = [t["Objective"] for t in succeeded]
        pick = max if self.maximize else min
        best, recent = pick(values), pick(values[len(values) // 2:])
        return abs(best - recent) <= CONVERGED_TOLERANCE * max(abs(best), 1e-12)

    async def _stop_trials(self, why: str, wait: bool = False) -> None:
        running = [t for t in self.trials if not t["Done"]]
        for t in running:
            t.setdefault("StopReason", "tuning")
            await self._stop_job(t["TrainingJobName"])
        if running:
            self.ctx.log(f"stopping {len(running)} training jobs: {why}\n")
        if wait:
            for t in running:
                await self.training.settle(t["TrainingJobName"], 60.0)
            await self._follow(running)

    def _save(self) -> None:
        self.ctx.report(Trials=[dict(t) for t in self.trials])
