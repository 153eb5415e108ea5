"""SageMaker's tuning strategies as Optuna samplers and pruners.

| SageMaker | Optuna |
|---|---|
| Bayesian | TPE (multivariate, with a constant liar for trials running side by side) |
| Random | random sampling |
| Grid | grid sampling over every combination of the categorical values |
| Hyperband | TPE with the Hyperband pruner over ``MinResource``..``MaxResource`` |
| early stopping ``Auto`` | the median pruner |

A trial's resource, for Hyperband and for early stopping, is the number of values of
the objective metric its training job has printed so far (its epochs).
"""
from __future__ import annotations

from typing import Any

from .ranges import SearchSpace

#: trials before early stopping judges: the median of fewer finished trials says little
EARLY_STOPPING_STARTUP = 3
#: Hyperband keeps the best 1/3 of the trials at each rung
HYPERBAND_REDUCTION = 3


def sampler(spec: dict[str, Any], space: SearchSpace) -> Any:
    """The Optuna sampler of a tuning job's strategy, seeded with its RandomSeed."""
    import optuna

    config = spec["HyperParameterTuningJobConfig"]
    seed = config.get("RandomSeed")
    strategy = config["Strategy"]
    if strategy == "Random":
        return optuna.samplers.RandomSampler(seed=seed)
    if strategy == "Grid":
        return optuna.samplers.GridSampler(space.grid_search_space(), seed=seed)
    parallel = config["ResourceLimits"]["MaxParallelTrainingJobs"] > 1
    return optuna.samplers.TPESampler(seed=seed, multivariate=True, group=space.several,
                                      constant_liar=parallel,
                                      n_startup_trials=startup_trials(spec))


def startup_trials(spec: dict[str, Any]) -> int:
    """Random trials before Bayesian optimisation models the results: Optuna's 10, fewer
    for a small budget so that the model gets some of it."""
    budget = spec["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxNumberOfTrainingJobs"]
    return max(2, min(10, budget // 3))


def pruner(spec: dict[str, Any]) -> Any:
    """The Optuna pruner that stops trials early, or one that never does."""
    import optuna

    config = spec["HyperParameterTuningJobConfig"]
    if config["Strategy"] == "Hyperband":
        hyperband = config["StrategyConfig"]["HyperbandStrategyConfig"]
        return optuna.pruners.HyperbandPruner(min_resource=hyperband["MinResource"],
                                              max_resource=hyperband["MaxResource"],
                                              reduction_factor=HYPERBAND_REDUCTION)
    if config.get("TrainingJobEarlyStoppingType") == "Auto":
        return optuna.pruners.MedianPruner(n_startup_trials=EARLY_STOPPING_STARTUP,
                                           n_warmup_steps=1)
    return optuna.pruners.NopPruner()


def max_resource(spec: dict[str, Any]) -> int | None:
    """Hyperband's MaxResource: a trial that has reached it is stopped."""
    config = spec["HyperParameterTuningJobConfig"]
    if config["Strategy"] != "Hyperband":
        return None
    return int(config["StrategyConfig"]["HyperbandStrategyConfig"]["MaxResource"])
