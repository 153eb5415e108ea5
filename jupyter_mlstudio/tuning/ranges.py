"""A tuning job's hyperparameter ranges: SageMaker's rules, and Optuna's view of them.

SageMaker names a hyperparameter's range by kind (Integer, Continuous, Categorical) and
scaling; Optuna samples distributions. ``ReverseLogarithmic`` (denser near 1) has no
Optuna counterpart, so such a value ``v`` is sampled as ``1 - v`` on a log scale.
``Auto`` scaling is logarithmic for a positive range spanning at least two orders of
magnitude, linear otherwise.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any, Iterable

from ..sagemaker.errors import ValidationError

#: SageMaker searches at most 30 hyperparameters in one tuning job.
MAX_RANGES = 30
KINDS = ("Integer", "Continuous", "Categorical")
#: the parameter that picks a training job definition when a job has several
DEFINITION_PARAM = "TrainingJobDefinitionName"
GRID_PARAM = "grid_point"


@dataclass(frozen=True)
class Range:
    """One hyperparameter's range."""

    name: str
    kind: str
    low: float = 0.0
    high: float = 0.0
    scaling: str = "Linear"
    values: tuple[str, ...] = ()

    @property
    def log(self) -> bool:
        return self.scaling in ("Logarithmic", "ReverseLogarithmic")

    def distribution(self) -> Any:
        """Optuna's distribution of this range (of ``1 - v`` for reverse-log)."""
        from optuna.distributions import (CategoricalDistribution, FloatDistribution,
                                          IntDistribution)
        if self.kind == "Categorical":
            return CategoricalDistribution(list(self.values))
        if self.kind == "Integer":
            return IntDistribution(int(self.low), int(self.high), log=self.log)
        if self.scaling == "ReverseLogarithmic":
            return FloatDistribution(1.0 - self.high, 1.0 - self.low, log=True)
        return FloatDistribution(self.low, self.high, log=self.log)

    def sample(self, trial: Any, key: str) -> Any:
        """Ask an Optuna trial for this range's value under the name ``key``."""
        d = self.distribution()
        if self.kind == "Categorical":
            return trial.suggest_categorical(key, d.choices)
        if self.kind == "Integer":
            return trial.suggest_int(key, d.low, d.high, log=d.log)
        return trial.suggest_float(key, d.low, d.high, log=d.log)

    def to_value(self, sampled: Any) -> str:
        """The hyperparameter's string, as the training job gets it."""
        if self.kind == "Categorical":
            return str(sampled)
        if self.kind == "Integer":
            return str(int(sampled))
        value = 1.0 - float(sampled) if self.scaling == "ReverseLogarithmic" \
            else float(sampled)
        return repr(min(max(value, self.low), self.high))

    def from_value(self, text: str) -> Any:
        """What Optuna samples for the hyperparameter string ``text``; ValueError when it
        lies outside the range."""
        if self.kind == "Categorical":
            if text not in self.values:
                raise ValueError(text)
            return text
        number = float(text)
        if not self.low <= number <= self.high:
            raise ValueError(text)
        if self.kind == "Integer":
            return int(number)
        return 1.0 - number if self.scaling == "ReverseLogarithmic" else number


def _number(value: Any, where: str, kind: str) -> float:
    try:
        number = float(value)
        if kind == "Integer" and number != int(value):
            raise ValueError
    except (TypeError, ValueError):
        wanted = "an integer" if kind == "Integer" else "a number"
        raise ValidationError(f"{where} {value!r} is not {wanted}") from None
    if not math.isfinite(number):
        raise ValidationError(f"{where} must be finite")
    return number


def _scaling(kind: str, scaling: str, low: float, high: float, where: str) -> str:
    if scaling == "Auto":
        return "Logarithmic" if low > 0 and high >= 100 * low else "Linear"
    if scaling == "Logarithmic" and low <= 0:
        raise ValidationError(f"{where}: Logarithmic scaling needs a range of values greater "
                              f"than 0 (MinValue is {low:g})")
    if scaling == "ReverseLogarithmic":
        if kind == "Integer":
            raise ValidationError(f"{where}: ReverseLogarithmic scaling works only for "
                                  "continuous ranges")
        if not (0 <= low and high < 1):
            raise ValidationError(f"{where}: ReverseLogarithmic scaling needs a range within "
                                  f"0 <= x < 1 (got {low:g} to {high:g})")
    return scaling


def parse_ranges(block: dict[str, Any], where: str = "ParameterRanges") -> list[Range]:
    """The ranges of a ``ParameterRanges`` block, checked as SageMaker checks them."""
    if block.get("AutoParameters"):
        raise ValidationError(f"{where}.AutoParameters (Autotune) is not supported here: "
                              "give the ranges explicitly")
    found: list[Range] = []
    for kind in KINDS:
        for i, item in enumerate(block.get(f"{kind}ParameterRanges") or []):
            at = f"{where}.{kind}ParameterRanges[{i}]"
            name = item["Name"]
            if not name:
                raise ValidationError(f"{at}.Name must not be empty")
            if kind == "Categorical":
                values = tuple(item["Values"])
                if len(set(values)) != len(values):
                    raise ValidationError(f"{at} ({name}): Values must be distinct")
                found.append(Range(name, kind, values=values))
                continue
            low = _number(item["MinValue"], f"{at}.MinValue", kind)
            high = _number(item["MaxValue"], f"{at}.MaxValue", kind)
            if low >= high:
                raise ValidationError(f"{at} ({name}): MinValue {item['MinValue']} must be "
                                      f"less than MaxValue {item['MaxValue']}")
            scaling = _scaling(kind, item.get("ScalingType") or "Auto", low, high,
                               f"{at} ({name})")
            found.append(Range(name, kind, low, high, scaling))
    names = [r.name for r in found]
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate is not None:
        raise ValidationError(f"{where}: hyperparameter {duplicate!r} has more than one range")
    if len(found) > MAX_RANGES:
        raise ValidationError(f"{where}: at most {MAX_RANGES} hyperparameters can be tuned "
                              f"(got {len(found)})")
    return found


@dataclass(frozen=True)
class Definition:
    """One training job definition's name and ranges."""

    name: str
    ranges: tuple[Range, ...]


class SearchSpace:
    """The ranges of every training job definition of a tuning job, as Optuna params."""

    def __init__(self, definitions: Iterable[Definition], grid: bool = False) -> None:
        self.definitions = list(definitions)
        self.grid = grid
        self._points = self.grid_points() if grid else []

    @property
    def several(self) -> bool:
        return len(self.definitions) > 1

    def key(self, definition: str, name: str) -> str:
        """Optuna's name of a hyperparameter of a definition."""
        return f"{definition}/{name}" if self.several else name

    def grid_points(self) -> list[tuple[str, dict[str, str]]]:
        """Every combination of every definition's (categorical) values."""
        points = []
        for d in self.definitions:
            for combo in itertools.product(*(r.values for r in d.ranges)):
                points.append((d.name, {r.name: v for r, v in zip(d.ranges, combo)}))
        return points

    def size(self) -> int:
        return len(self._points)

    def grid_search_space(self) -> dict[str, list[int]]:
        return {GRID_PARAM: list(range(len(self._points)))}

    def suggest(self, trial: Any) -> tuple[str, dict[str, str]]:
        """Ask ``trial`` (an Optuna trial) for a definition and its hyperparameters."""
        if self.grid:
            return self._points[trial.suggest_categorical(GRID_PARAM, list(range(len(
                self._points))))]
        definition = self.definitions[0]
        if self.several:
            chosen = trial.suggest_categorical(DEFINITION_PARAM,
                                               [d.name for d in self.definitions])
            definition = next(d for d in self.definitions if d.name == chosen)
        values = {}
        for r in definition.ranges:
            values[r.name] = r.to_value(r.sample(trial, self.key(definition.name, r.name)))
        return definition.name, values

    def seed(self, definition: str, hyperparameters: dict[str, str]
             ) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """Optuna params and distributions of an earlier trial's hyperparameters (a warm
        start's), or None when they do not fit this space."""
        if self.grid:
            return None
        found = next((d for d in self.definitions if d.name == definition), None) \
            or (self.definitions[0] if not self.several else None)
        if found is None:
            return None
        params: dict[str, Any] = {}
        distributions: dict[str, Any] = {}
        if self.several:
            from optuna.distributions import CategoricalDistribution
            params[DEFINITION_PARAM] = found.name
            distributions[DEFINITION_PARAM] = CategoricalDistribution(
                [d.name for d in self.definitions])
        for r in found.ranges:
            if r.name not in hyperparameters:
                continue  # TransferLearning: a range the parent did not have
            try:
                params[self.key(found.name, r.name)] = r.from_value(hyperparameters[r.name])
            except ValueError:
                return None
            distributions[self.key(found.name, r.name)] = r.distribution()
        return params, distributions
