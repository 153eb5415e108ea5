"""SageMaker's tuning strategies as Optuna samplers and pruners.

| SageMaker | Optuna |
|---|---|
| Bayesian | a Gaussian process (Optuna's GP sampler) for a sequential search of at most
  ten numeric ranges where PyTorch is installed; TPE (multivariate, with a constant liar
  for trials running side by side) otherwise |
| Random | random sampling |
| Grid | grid sampling over every combination of the categorical values |
| Hyperband | TPE with the Hyperband pruner over ``MinResource``..``MaxResource`` |
| early stopping ``Auto`` | the median pruner |

A trial's resource, for Hyperband and for early stopping, is the number of values of
the objective metric its training job has printed so far (its epochs).

``bench/tune_bench.py`` measured the choice on Branin (median of 10 seeds, 30 trials):
the GP reaches random search's 30-trial best at trial 14, TPE at 17-19.
"""
from __future__ import annotations

import importlib.util
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
    if not parallel and gaussian_process_fits(space):
        return optuna.samplers.GPSampler(seed=seed, n_startup_trials=gp_startup_trials(spec))
    return optuna.samplers.TPESampler(seed=seed, multivariate=True, group=space.several,
                                      constant_liar=parallel,
                                      n_startup_trials=startup_trials(spec))


#: the most ranges a Gaussian process models here (its fit grows with the dimensions)
GP_MAX_RANGES = 10


def gaussian_process_fits(space: SearchSpace) -> bool:
    """A small numeric space, and PyTorch (which Optuna's GP sampler runs on) installed."""
    if space.several or space.grid:
        return False
    ranges = space.definitions[0].ranges
    if not 0 < len(ranges) <= GP_MAX_RANGES or any(r.kind == "Categorical" for r in ranges):
        return False
    return importlib.util.find_spec("torch") is not None


def gp_startup_trials(spec: dict[str, Any]) -> int:
    """Random trials before the Gaussian process: a tenth of the budget, 3 to 10."""
    budget = spec["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxNumberOfTrainingJobs"]
    return max(3, min(10, budget // 10))


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
