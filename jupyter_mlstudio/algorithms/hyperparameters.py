"""An algorithm's hyperparameters as SageMaker declares them: type, range, required."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

from ..sagemaker.errors import ValidationError

INF = math.inf


@dataclass(frozen=True)
class Hyperparameter:
    """One hyperparameter: ``kind`` int | float | choice | choices (comma-separated) |
    text; numbers between ``low`` and ``high`` (``open`` ends excluded)."""

    name: str
    kind: str
    low: float = -INF
    high: float = INF
    open_low: bool = False
    open_high: bool = False
    values: tuple[str, ...] = ()
    required: bool = False

    def describe(self) -> str:
        if self.kind in ("choice", "choices"):
            return "one of " + ", ".join(self.values) if self.kind == "choice" else \
                "comma-separated values from " + ", ".join(self.values)
        left = "(" if self.open_low else "["
        right = ")" if self.open_high else "]"
        low = "-inf" if self.low == -INF else f"{self.low:g}"
        high = "inf" if self.high == INF else f"{self.high:g}"
        what = "an integer" if self.kind == "int" else "a number"
        return f"{what} in {left}{low}, {high}{right}"

    def check(self, text: str) -> None:
        """ValidationError naming the hyperparameter and its valid range."""
        bad = ValidationError(f"hyperparameter {self.name} = {text!r} is not valid: it must "
                              f"be {self.describe()}")
        if self.kind == "text":
            return
        if self.kind == "choice":
            if text not in self.values:
                raise bad
            return
        if self.kind == "choices":
            if not text or any(v.strip() not in self.values for v in text.split(",")):
                raise bad
            return
        try:
            number = float(text)
            if self.kind == "int" and not number.is_integer():
                raise ValueError
        except ValueError:
            raise bad from None
        if math.isnan(number) or number < self.low or number > self.high \
                or (self.open_low and number == self.low) \
                or (self.open_high and number == self.high):
            raise bad


def check_hyperparameters(algorithm: str, declared: Iterable[Hyperparameter],
                          given: dict[str, str], ignored: Iterable[str] = ()) -> None:
    """Refuse unknown, missing and out-of-range hyperparameters, as the algorithm would
    before it trains."""
    table = {h.name: h for h in declared}
    skip = set(ignored)
    unknown = sorted(k for k in given if k not in table and k not in skip)
    if unknown:
        raise ValidationError(f"{algorithm}: unknown hyperparameters {', '.join(unknown)} "
                              f"(known: {', '.join(sorted(table))})")
    missing = sorted(h.name for h in table.values() if h.required and h.name not in given)
    if missing:
        raise ValidationError(f"{algorithm}: the hyperparameter {', '.join(missing)} is "
                              "required")
    for key, text in given.items():
        if key in table:
            table[key].check(text)
