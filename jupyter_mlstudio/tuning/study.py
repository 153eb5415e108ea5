"""A tuning job's Optuna study, kept in the project's database (Optuna's RDB storage on
the same SQLAlchemy URL), so that a restarted server takes the job up where it was."""
from __future__ import annotations

import threading
from typing import Any

from sqlalchemy.engine import make_url

from .ranges import SearchSpace
from .strategies import pruner, sampler

#: the hyperparameters a trial ran with, kept on the trial for warm starts
HYPERPARAMETERS = "hyperparameters"
DEFINITION = "definition"
TRAINING_JOB = "training_job"


def study_name(tuning_job: str) -> str:
    return f"mlstudio-tuning:{tuning_job}"


class Studies:
    """Opens tuning jobs' studies in one Optuna storage (made at first use: importing
    Optuna and checking its tables takes a while)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._storage: Any = None
        self._lock = threading.Lock()

    def storage(self) -> Any:
        with self._lock:
            if self._storage is None:
                import optuna

                optuna.logging.set_verbosity(optuna.logging.WARNING)
                kwargs: dict[str, Any] = {}
                if make_url(self.url).get_backend_name() == "sqlite":
                    # the server writes its own tables in the same file meanwhile
                    kwargs["connect_args"] = {"timeout": 30}
                self._storage = optuna.storages.RDBStorage(self.url, engine_kwargs=kwargs)
            return self._storage

    def close(self) -> None:
        """Close the storage's connections (the server is stopping)."""
        with self._lock:
            if self._storage is not None:
                self._storage.engine.dispose()
                self._storage = None

    def open(self, spec: dict[str, Any], space: SearchSpace, fresh: bool) -> Any:
        """The study of the tuning job ``spec``; ``fresh`` drops one left by a namesake."""
        import optuna

        name = study_name(spec["HyperParameterTuningJobName"])
        storage = self.storage()
        if fresh:
            try:
                optuna.delete_study(study_name=name, storage=storage)
            except KeyError:
                pass
        maximize = spec["Definitions"][0]["TuningObjective"]["Type"] == "Maximize"
        direction = optuna.study.StudyDirection.MAXIMIZE if maximize \
            else optuna.study.StudyDirection.MINIMIZE
        return optuna.create_study(study_name=name, storage=storage, load_if_exists=True,
                                   direction=direction, sampler=sampler(spec, space),
                                   pruner=pruner(spec))

    def finished_trials(self, tuning_job: str) -> list[Any]:
        """The trials of an earlier tuning job with an objective value (a warm start's)."""
        import optuna

        try:
            study = optuna.load_study(study_name=study_name(tuning_job),
                                      storage=self.storage())
        except KeyError:
            return []
        states = (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED)
        return [t for t in study.get_trials(deepcopy=False, states=states)
                if t.value is not None or t.intermediate_values]

    def seed(self, study: Any, space: SearchSpace, parents: list[str]) -> int:
        """Add the finished trials of ``parents`` to ``study``; how many fitted."""
        import optuna

        added = 0
        for parent in parents:
            for t in self.finished_trials(parent):
                value = t.value if t.value is not None else \
                    t.intermediate_values[max(t.intermediate_values)]
                found = space.seed(t.user_attrs.get(DEFINITION, ""),
                                   t.user_attrs.get(HYPERPARAMETERS, {}))
                if found is None:
                    continue
                params, distributions = found
                study.add_trial(optuna.trial.create_trial(
                    params=params, distributions=distributions, value=value,
                    user_attrs={**t.user_attrs, "parent": parent}))
                added += 1
        return added
