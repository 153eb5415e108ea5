"""SageMaker's ranges as Optuna distributions, and back."""
from __future__ import annotations

import optuna
import pytest

from jupyter_mlstudio.sagemaker.errors import ValidationError
from jupyter_mlstudio.tuning.ranges import Definition, SearchSpace, parse_ranges


def sample(ranges, n=200, seed=1):
    space = SearchSpace([Definition("", tuple(ranges))])
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=seed))
    found = []
    for _ in range(n):
        trial = study.ask()
        found.append(space.suggest(trial)[1])
        study.tell(trial, 0.0)
    return found


def test_scalings_sample_where_sagemaker_says():
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    ranges = parse_ranges({
        "ContinuousParameterRanges": [
            {"Name": "lr", "MinValue": "0.0001", "MaxValue": "1", "ScalingType": "Auto"},
            {"Name": "momentum", "MinValue": "0.9", "MaxValue": "0.9999",
             "ScalingType": "ReverseLogarithmic"}],
        "IntegerParameterRanges": [
            {"Name": "units", "MinValue": "1", "MaxValue": "1024",
             "ScalingType": "Logarithmic"}]})
    assert [r.scaling for r in ranges] == ["Logarithmic", "Logarithmic", "ReverseLogarithmic"]
    values = sample(ranges)
    lr = [float(v["lr"]) for v in values]
    momentum = [float(v["momentum"]) for v in values]
    units = [int(v["units"]) for v in values]
    assert min(lr) >= 0.0001 and max(lr) <= 1
    assert sum(x < 0.01 for x in lr) > len(lr) / 3  # log: half the decades below 0.01
    assert all(0.9 <= m <= 0.9999 for m in momentum)
    assert sum(m > 0.99 for m in momentum) > len(momentum) / 3  # dense near 1
    assert sum(u <= 32 for u in units) > len(units) / 3
    assert all(v["units"] == str(int(v["units"])) for v in values)


def test_an_earlier_trials_values_map_back_into_the_space_or_not_at_all():
    ranges = parse_ranges({"ContinuousParameterRanges": [
        {"Name": "m", "MinValue": "0.5", "MaxValue": "0.99",
         "ScalingType": "ReverseLogarithmic"}],
        "CategoricalParameterRanges": [{"Name": "k", "Values": ["a", "b"]}]})
    space = SearchSpace([Definition("", tuple(ranges))])
    params, distributions = space.seed("", {"m": "0.9", "k": "b"})
    assert params == {"m": pytest.approx(0.1), "k": "b"}
    optuna.trial.create_trial(params=params, distributions=distributions, value=1.0)
    assert space.seed("", {"m": "0.999", "k": "b"}) is None  # outside the new range
    assert space.seed("", {"m": "0.9", "k": "c"}) is None
    assert space.seed("", {"k": "a"})[0] == {"k": "a"}  # a range the parent lacked


def test_several_definitions_pick_one_and_its_own_ranges():
    a = Definition("small", tuple(parse_ranges({"IntegerParameterRanges": [
        {"Name": "depth", "MinValue": "1", "MaxValue": "3"}]})))
    b = Definition("big", tuple(parse_ranges({"CategoricalParameterRanges": [
        {"Name": "kind", "Values": ["x", "y"]}]})))
    space = SearchSpace([a, b])
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=3))
    seen = set()
    for _ in range(30):
        trial = study.ask()
        name, values = space.suggest(trial)
        seen.add(name)
        assert set(values) == ({"depth"} if name == "small" else {"kind"})
        study.tell(trial, 0.0)
    assert seen == {"small", "big"}


def test_a_grid_over_several_definitions_is_every_combination_of_each():
    a = Definition("a", tuple(parse_ranges({"CategoricalParameterRanges": [
        {"Name": "depth", "Values": ["1", "2", "3"]}, {"Name": "k", "Values": ["x", "y"]}]})))
    b = Definition("b", tuple(parse_ranges({"CategoricalParameterRanges": [
        {"Name": "kind", "Values": ["x", "y"]}]})))
    space = SearchSpace([a, b], grid=True)
    assert space.size() == 3 * 2 + 2
    study = optuna.create_study(sampler=optuna.samplers.GridSampler(
        space.grid_search_space(), seed=0))
    seen = []
    for _ in range(space.size()):
        trial = study.ask()
        name, values = space.suggest(trial)
        seen.append((name, tuple(sorted(values.items()))))
        if len(seen) < space.size():  # the last tell stops the study (see TuningRun)
            study.tell(trial, 0.0)
    assert len(set(seen)) == 8


@pytest.mark.parametrize("block, message", [
    ({"IntegerParameterRanges": [{"Name": "d", "MinValue": "1", "MaxValue": "9",
                                  "ScalingType": "ReverseLogarithmic"}]},
     "ReverseLogarithmic scaling works only for continuous ranges"),
    ({"ContinuousParameterRanges": [{"Name": "x", "MinValue": "nan", "MaxValue": "1"}]},
     "must be finite"),
    ({"CategoricalParameterRanges": [{"Name": "k", "Values": ["a", "a"]}]},
     "Values must be distinct"),
    ({"CategoricalParameterRanges": [{"Name": "k", "Values": ["a"]}],
      "IntegerParameterRanges": [{"Name": "k", "MinValue": "1", "MaxValue": "2"}]},
     "hyperparameter 'k' has more than one range"),
    ({"CategoricalParameterRanges": [{"Name": f"k{i}", "Values": ["a"]} for i in range(31)]},
     "at most 30 hyperparameters"),
])
def test_ranges_sagemaker_refuses(block, message):
    with pytest.raises(ValidationError) as err:
        parse_ranges(block)
    assert message in err.value.message
