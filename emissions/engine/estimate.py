"""``Estimate``: a (low, central, high) range with low <= central <= high enforced.

Every uncertain quantity in the engine is an Estimate. The engine never derives a low from a central
by a formula applied after the fact: each bound is computed by running the same arithmetic on the
bound-side inputs (see ``inference.Scenario``), so order is preserved by monotonicity.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Number = int | float


@dataclass(frozen=True, slots=True)
class Estimate:
    low: float
    central: float
    high: float

    def __post_init__(self) -> None:
        for name in ("low", "central", "high"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise TypeError(f"Estimate.{name} must be a number, got {value!r}")
            if not math.isfinite(value):
                raise ValueError(f"Estimate.{name} must be finite, got {value!r}")
        if not (self.low <= self.central <= self.high):
            raise ValueError(f"Estimate needs low <= central <= high, got {self.low}, {self.central}, {self.high}")

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def exact(cls, value: Number) -> Estimate:
        v = float(value)
        return cls(v, v, v)

    @classmethod
    def of(cls, value: EstimateLike) -> Estimate:
        """Coerce a number, a (low, central, high) triple or an Estimate."""
        if isinstance(value, Estimate):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return cls.exact(value)
        if isinstance(value, (tuple, list)) and len(value) == 3:
            low, central, high = (float(v) for v in value)
            return cls(low, central, high)
        raise TypeError(f"cannot make an Estimate from {value!r}")

    @classmethod
    def from_catalogue(cls, value: Number, low: Number | None = None, high: Number | None = None) -> Estimate:
        """Catalogue rows leave low/high empty when a figure is exact."""
        v = float(value)
        return cls(v if low is None else float(low), v, v if high is None else float(high))

    # -- access -------------------------------------------------------------------------------
    def as_tuple(self) -> tuple[float, float, float]:
        return (self.low, self.central, self.high)

    def bounds(self) -> list[float]:
        return [self.low, self.high]

    def pick(self, side: int) -> float:
        """0 = low, 1 = central, 2 = high."""
        return self.as_tuple()[side]

    @property
    def is_exact(self) -> bool:
        return self.low == self.central == self.high

    @property
    def nonnegative(self) -> bool:
        return self.low >= 0.0

    # -- arithmetic (order-preserving only; anything else must go through scenarios) ----------
    def __add__(self, other: EstimateLike) -> Estimate:
        o = Estimate.of(other)
        return Estimate(self.low + o.low, self.central + o.central, self.high + o.high)

    __radd__ = __add__

    def __mul__(self, other: EstimateLike) -> Estimate:
        """Bound-wise product; defined for non-negative operands, where it keeps the order."""
        o = Estimate.of(other)
        if not (self.nonnegative and o.nonnegative):
            raise ValueError("Estimate multiplication is only defined for non-negative ranges")
        return Estimate(self.low * o.low, self.central * o.central, self.high * o.high)

    __rmul__ = __mul__

    def scale(self, factor: float) -> Estimate:
        if factor < 0:
            raise ValueError("scale factor must be >= 0")
        return Estimate(self.low * factor, self.central * factor, self.high * factor)

    def __truediv__(self, divisor: float) -> Estimate:
        if isinstance(divisor, Estimate):
            raise TypeError("divide by a number; a range divisor reverses bounds and needs a scenario")
        if divisor <= 0:
            raise ValueError("divisor must be > 0")
        return Estimate(self.low / divisor, self.central / divisor, self.high / divisor)

    def reversed_for(self, side: int) -> float:
        """Value to use on ``side`` for an input that LOWERS the output when it grows (batch, lifetime)."""
        return self.as_tuple()[2 - side]


EstimateLike = Estimate | int | float | tuple | list

ZERO = Estimate(0.0, 0.0, 0.0)

LOW, CENTRAL, HIGH = 0, 1, 2
SIDES = (LOW, CENTRAL, HIGH)
