"""The positive-parameter activations, in float64: the two of SPEC §3, and those of peer
libraries (Stable-Baselines3's clamped log std, TorchRL's biased softplus)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, DTypeLike
from scipy.special import expit

from .validation import check_nonnegative, check_positive, check_upper_bound, round_to_dtype

Activation = Callable[..., np.ndarray]


def softplus_bounded_positive(x: ArrayLike, low: float, high: float | None = None) -> np.ndarray:
    """min(log(1 + e^x) + low, high): a value in [low, high]; high=None means unbounded,
    high == low is the constant low."""
    low = check_nonnegative("low", low)
    high = check_upper_bound("high", high, "low", low)
    # logaddexp(0, x) is the exact softplus, with no identity switch at large x.
    value = np.logaddexp(0.0, np.asarray(x, dtype=np.float64)) + low
    return value if high is None else np.minimum(value, high)


def tanh_bounded_positive(x: ArrayLike, low: float, high: float) -> np.ndarray:
    """exp(log low + (log high - log low)(tanh x + 1)/2): log-space interpolation in [low, high].

    high == low is the constant low; high must be finite (log inf would give inf, or NaN where
    (tanh x + 1)/2 is 0)."""
    low = check_positive("low", low)
    high = check_upper_bound("high", high, "low", low)
    if high is None or np.isinf(high):
        raise ValueError(f"high must be a finite number for tanh_bounded_positive, got {high!r}")
    # (tanh x + 1)/2 = expit(2x), which keeps its relative accuracy where tanh x is near -1.
    fraction = expit(2.0 * np.asarray(x, dtype=np.float64))
    return np.exp(np.log(low) + (np.log(high) - np.log(low)) * fraction)


def exp_clamped_log_std(x: ArrayLike, low: float, high: float) -> np.ndarray:
    """exp(clamp(x, log low, log high)): x read as a log std, clamped (Stable-Baselines3's SAC
    actor: log std in [-20, 2]). high must be finite."""
    low = check_positive("low", low)
    high = check_upper_bound("high", high, "low", low)
    if high is None or np.isinf(high):
        raise ValueError(f"high must be a finite number for exp_clamped_log_std, got {high!r}")
    return np.exp(np.clip(np.asarray(x, dtype=np.float64), np.log(low), np.log(high)))


def biased_softplus_shift(low: float) -> float:
    """c = log(expm1(1 - low)), so that softplus(0 + c) + low = 1, evaluated as tensordict's
    biased_softplus(1.0, min_val=low) holds it: 1 - low rounded to float32, expm1 and log in
    float32 (for low = 0.01, c = 0x1.0d08ecp-1, 4.9e-8 relative below the exact value)."""
    return float(np.log(np.expm1(np.float32(1.0 - low))))


def biased_softplus(x: ArrayLike, low: float, high: float | None = None) -> np.ndarray:
    """log(1 + e^(x + c)) + low, c = biased_softplus_shift(low): TorchRL's default scale
    mapping (NormalParamExtractor's "biased_softplus_1.0", value 1 at x = 0, min_val low =
    0.01; its scale_lb clamp of 1e-4 never acts above low). Unbounded above: high must be None."""
    low = check_positive("low", low)
    if high is not None:
        raise ValueError(f"high must be None for biased_softplus (unbounded), got {high!r}")
    # x + c is exact in float64 for float32 x and the float32 c; logaddexp is the exact softplus.
    return np.logaddexp(0.0, np.asarray(x, dtype=np.float64) + biased_softplus_shift(low)) + low


ACTIVATIONS: dict[str, Activation] = {
    "softplus_bounded_positive": softplus_bounded_positive,
    "tanh_bounded_positive": tanh_bounded_positive,
    "exp_clamped_log_std": exp_clamped_log_std,
    "biased_softplus": biased_softplus,
}


def resolve_activation(name: str, activation: str | Activation) -> Activation:
    """One of the reference activations, given by its name or the function itself."""
    if isinstance(activation, str) and activation in ACTIVATIONS:
        return ACTIVATIONS[activation]
    if any(activation is known for known in ACTIVATIONS.values()):
        return activation
    raise ValueError(f"{name} must be one of {sorted(ACTIVATIONS)}, got {activation!r}")


@dataclass(frozen=True)
class PositiveParameter:
    """A positive distribution parameter: activation(raw, low, high), elementwise."""

    activation: Activation
    low: float
    high: float | None

    @classmethod
    def configured(
        cls,
        activation: str | Activation,
        low: float,
        high: float | None,
        names: tuple[str, str, str],
    ) -> PositiveParameter:
        """Validate a constructor's (activation, low, high), reporting errors by `names`."""
        activation_name, low_name, high_name = names
        function = resolve_activation(activation_name, activation)
        low = check_positive(low_name, low)
        high = check_upper_bound(high_name, high, low_name, low)
        log_space = (tanh_bounded_positive, exp_clamped_log_std)
        if function in log_space and (high is None or np.isinf(high)):
            raise ValueError(
                f"{high_name} must be a finite number for {function.__name__}, got {high!r}"
            )
        if function is biased_softplus and high is not None:
            raise ValueError(f"{high_name} must be None for biased_softplus, got {high!r}")
        return cls(function, low, high)

    def high_in_dtype(self, dtype: DTypeLike) -> float | None:
        """The upper bound as the implementation holds it.

        softplus_bounded_positive's `high` is a clamp done in the working dtype, so it is
        rounded to that dtype; the log-space activations only take its logarithm, exactly.
        """
        if self.high is None or self.activation is not softplus_bounded_positive:
            return self.high
        return round_to_dtype(self.high, dtype)

    def __call__(self, raw: np.ndarray, dtype: DTypeLike) -> np.ndarray:
        return self.activation(raw, self.low, self.high_in_dtype(dtype))
