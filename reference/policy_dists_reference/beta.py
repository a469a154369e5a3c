"""Beta reference: a = 2x - 1, x ~ Beta(alpha, beta) (alpha the exponent of x), per dimension."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, DTypeLike
from scipy.integrate import quad
from scipy.special import betainc, betaincc, digamma

from .activations import PositiveParameter
from .special import digamma_difference, log_beta
from .tanh_squash import LOG_2, clamp_action
from .validation import (
    bounded_action,
    check_clip_bounds,
    check_d_action,
    clip_bounds_in_dtype,
    input_vector,
    unit_interval_point,
)

# quad's relative tolerance for the implicit-reparameterization integrals; see implicit_dx_dparams.
QUAD_RELATIVE_TOLERANCE = 1e-12
# Relative rounding of the float64 density f(t) per unit of implicit_error_scale, in eps.
DENSITY_ROUNDING_EPS = 8.0


@dataclass(frozen=True)
class BetaParams:
    """alpha and beta, each of shape (..., d)."""

    alpha: np.ndarray
    beta: np.ndarray


def log_half_one_plus(c: np.ndarray) -> np.ndarray:
    """log((1 + c)/2) = log x for c in [-1, 1], to full relative accuracy at both ends."""
    with np.errstate(divide="ignore"):
        # For c > 0, (c - 1)/2 is exact (Sterbenz) and log1p keeps log x's relative accuracy as
        # x -> 1; for c <= 0 the two negative terms add without cancellation.
        return np.where(c > 0, np.log1p((np.minimum(c, 1.0) - 1.0) / 2.0), np.log1p(c) - LOG_2)


def _times(coefficient: np.ndarray, log_value: np.ndarray) -> np.ndarray:
    """coefficient * log_value, with 0 * (-inf) = 0 (the x^0 factor of the density is 1)."""
    with np.errstate(invalid="ignore"):
        return np.where(coefficient == 0.0, 0.0, coefficient * log_value)


class Beta:
    """Density of a in [-1, 1]: x^(alpha-1) (1-x)^(beta-1) / (2 B(alpha, beta)), x = (a+1)/2."""

    def __init__(
        self,
        d_action: int,
        alpha_low: float = 1.0001,
        alpha_high: float | None = None,
        beta_low: float = 1.0001,
        beta_high: float | None = None,
        std_activation: str | Callable[..., np.ndarray] = "softplus_bounded_positive",
        clip_actions_on_log_prob: tuple[float, float] = (-0.99, 0.99),
    ) -> None:
        self.d_action = check_d_action(d_action)
        self.alpha = PositiveParameter.configured(
            std_activation, alpha_low, alpha_high, ("std_activation", "alpha_low", "alpha_high")
        )
        self.beta = PositiveParameter.configured(
            std_activation, beta_low, beta_high, ("std_activation", "beta_low", "beta_high")
        )
        # low == high is accepted, as upstream: every action is scored at that one point.
        self.clip_actions_on_log_prob = check_clip_bounds(
            "clip_actions_on_log_prob", clip_actions_on_log_prob, allow_point=True
        )

    @property
    def input_dimension(self) -> int:
        return 2 * self.d_action

    def params(self, vec: ArrayLike, dtype: DTypeLike) -> BetaParams:
        """alpha = act(vec[..., :d], alpha_low, alpha_high), beta = act(vec[..., d:], ...)."""
        vec = input_vector(vec, self.input_dimension, dtype)
        d = self.d_action
        return BetaParams(
            alpha=self.alpha(vec[..., :d], dtype), beta=self.beta(vec[..., d:], dtype)
        )

    def clip_bounds(self, dtype: DTypeLike) -> tuple[float, float]:
        """The clip bounds (l, h) rounded to the working dtype, as the implementation clamps."""
        return clip_bounds_in_dtype(
            "clip_actions_on_log_prob", self.clip_actions_on_log_prob, dtype, allow_point=True
        )

    def log_prob(self, vec: ArrayLike, action: ArrayLike, dtype: DTypeLike) -> np.ndarray:
        """(alpha-1) log x + (beta-1) log(1-x) - log B - log 2, x = (clamp(a)+1)/2; (..., d)."""
        p = self.params(vec, dtype)
        a = bounded_action(action, self.d_action, dtype, p.alpha.shape[:-1])
        c = clamp_action(a, self.clip_bounds(dtype))
        return (
            _times(p.alpha - 1.0, log_half_one_plus(c))
            + _times(p.beta - 1.0, log_half_one_plus(-c))
            - log_beta(p.alpha, p.beta)
            - LOG_2
        )

    def mean(self, vec: ArrayLike, dtype: DTypeLike) -> np.ndarray:
        """2 alpha/(alpha+beta) - 1, evaluated as (alpha-beta)/(alpha+beta); shape (..., d)."""
        p = self.params(vec, dtype)
        return (p.alpha - p.beta) / (p.alpha + p.beta)

    def entropy(self, vec: ArrayLike, dtype: DTypeLike) -> np.ndarray:
        """log B - (alpha-1) psi(alpha) - (beta-1) psi(beta) + (alpha+beta-2) psi(alpha+beta)
        + log 2; shape (..., d)."""
        p = self.params(vec, dtype)
        alpha, beta = p.alpha, p.beta
        return (
            log_beta(alpha, beta)
            - (alpha - 1.0) * digamma(alpha)
            - (beta - 1.0) * digamma(beta)
            + (alpha + beta - 2.0) * digamma(alpha + beta)
            + LOG_2
        )

    def cdf(self, vec: ArrayLike, action: ArrayLike, dtype: DTypeLike) -> np.ndarray:
        """Marginal CDF of the unclipped a: I_x(alpha, beta), x = (a+1)/2; shape (..., d)."""
        p = self.params(vec, dtype)
        a = bounded_action(action, self.d_action, dtype, p.alpha.shape[:-1])
        # Near a = 1 evaluate through 1 - x = (1 - a)/2, which is exact there, and the upper tail.
        return np.where(
            a > 0,
            betaincc(p.beta, p.alpha, (1.0 - a) / 2.0),
            betainc(p.alpha, p.beta, (1.0 + a) / 2.0),
        )

    @staticmethod
    def implicit_dx_dparams(
        alpha: ArrayLike, beta: ArrayLike, x: ArrayLike
    ) -> tuple[np.ndarray, np.ndarray]:
        """(dx/dalpha, dx/dbeta) = -(dF(x)/dtheta) / f(x) for x ~ Beta(alpha, beta) in (0, 1).

        dF/dalpha = int_0^x f(t) (log t - psi(alpha) + psi(alpha+beta)) dt and dF/dbeta likewise
        with log(1-t) - psi(beta) + psi(alpha+beta), by adaptive Gauss-Kronrod (scipy quad).
        The score integrates to 0 over (0, 1), so the integral over the side of x holding less
        probability is taken (negated for [x, 1]), which bounds the cancellation.
        Error model: relative error <= implicit_relative_error(alpha, beta, x), the quadrature
        tolerance plus the float64 rounding of log f(t), whose terms reach implicit_error_scale.
        Raises ArithmeticError where quad reports it could not reach that tolerance.
        """
        alpha = np.asarray(alpha, dtype=np.float64)
        beta = np.asarray(beta, dtype=np.float64)
        x = unit_interval_point("x", x)
        if not (np.all(alpha > 0) and np.all(np.isfinite(alpha))):
            raise ValueError("alpha must be finite and > 0")
        if not (np.all(beta > 0) and np.all(np.isfinite(beta))):
            raise ValueError("beta must be finite and > 0")
        alpha, beta, x = np.broadcast_arrays(alpha, beta, x)
        pairs = [
            _implicit_dx_dparams_at(*point)
            for point in zip(alpha.flat, beta.flat, x.flat, strict=True)
        ]
        shape = x.shape
        dx_dalpha = np.array([pair[0] for pair in pairs], dtype=np.float64).reshape(shape)
        dx_dbeta = np.array([pair[1] for pair in pairs], dtype=np.float64).reshape(shape)
        return dx_dalpha, dx_dbeta


def implicit_error_scale(alpha: float, beta: float, x: float) -> float:
    """K = 1 + |log B| + |alpha-1| |log x| + |beta-1| |log(1-x)|: the magnitude of the terms of
    log f in the bulk and at x, whose rounding perturbs f relatively by ~eps K."""
    return float(
        1.0
        + abs(log_beta(alpha, beta))
        + abs(alpha - 1.0) * abs(np.log(x))
        + abs(beta - 1.0) * abs(np.log1p(-x))
    )


def implicit_relative_error(alpha: ArrayLike, beta: ArrayLike, x: ArrayLike) -> np.ndarray:
    """The error model of implicit_dx_dparams: QUAD_RELATIVE_TOLERANCE + 8 eps K."""
    scale = np.vectorize(implicit_error_scale)(alpha, beta, x)
    return QUAD_RELATIVE_TOLERANCE + DENSITY_ROUNDING_EPS * np.finfo(np.float64).eps * scale


def _side_integral(
    integrand: Callable[[float, float], float],
    alpha: float,
    beta: float,
    x: float,
    lower_side: bool,
) -> float:
    """The integral of integrand(t, 1 - t) over (0, x) or (x, 1).

    The variable is the distance r to the side's outer endpoint (t on (0, x), 1 - t on
    (x, 1)): nodes near t = 1 then keep 1 - t to full relative accuracy. An r^(e-1) factor
    with e < 1 is mapped out by r = R s^(1/e); otherwise breakpoints mark the bulk.
    """
    reach, exponent = (x, alpha) if lower_side else (1.0 - x, beta)

    def at(r: float) -> float:
        return integrand(r, 1.0 - r) if lower_side else integrand(1.0 - r, r)

    tolerance = float(implicit_relative_error(alpha, beta, x))
    options = {"epsabs": 0.0, "epsrel": tolerance, "limit": 200, "full_output": 1}
    if exponent < 1:
        power = 1.0 / exponent
        mapped = lambda s: at(reach * s**power) * reach * power * s ** (power - 1.0)  # noqa: E731
        result = quad(mapped, 0.0, 1.0, **options)
    else:
        center = (alpha if lower_side else beta) / (alpha + beta)
        spread = np.sqrt(alpha * beta / ((alpha + beta) ** 2 * (alpha + beta + 1.0)))
        # Breakpoints out to 16 sd: Gauss-Kronrod on a long interval can miss a peak at its end.
        offsets = np.array([-16.0, -8.0, -4.0, -2.0, -1.0, 0.0, 1.0, 2.0, 4.0, 8.0, 16.0])
        points = [p for p in center + spread * offsets if 0.0 < p < reach]
        result = quad(at, 0.0, reach, points=points or None, **options)
    if len(result) > 3:  # quad appends a message when it could not reach the tolerance
        raise ArithmeticError(
            f"implicit_dx_dparams: quadrature failed at alpha={alpha!r}, beta={beta!r}, "
            f"x={x!r}: {result[3]}"
        )
    return result[0]


def _implicit_dx_dparams_at(alpha: float, beta: float, x: float) -> tuple[float, float]:
    log_norm = float(log_beta(alpha, beta))
    # The scores are log t - E[log t] = log t + psi(alpha+beta) - psi(alpha) (and likewise for
    # 1 - t); the digamma difference is formed without cancellation (it is tiny for beta << alpha).
    shift_alpha, shift_beta = digamma_difference(alpha, beta), digamma_difference(beta, alpha)

    def log_density(t: float, one_minus_t: float) -> float:
        return (alpha - 1.0) * np.log(t) + (beta - 1.0) * np.log(one_minus_t) - log_norm

    def alpha_score(t: float, one_minus_t: float) -> float:
        return np.exp(log_density(t, one_minus_t)) * (np.log(t) + shift_alpha)

    def beta_score(t: float, one_minus_t: float) -> float:
        return np.exp(log_density(t, one_minus_t)) * (np.log(one_minus_t) + shift_beta)

    lower_side = betainc(alpha, beta, x) <= 0.5
    sign = 1.0 if lower_side else -1.0
    density_at_x = np.exp(log_density(x, 1.0 - x))
    return tuple(
        -sign * _side_integral(score, alpha, beta, x, lower_side) / density_at_x
        for score in (alpha_score, beta_score)
    )
