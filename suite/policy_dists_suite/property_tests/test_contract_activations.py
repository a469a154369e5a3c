"""SPEC §3 activations (and §2's exact softplus): values, bounds, gradients, argument checks."""

from __future__ import annotations

import math
import types

import pytest
import torch

from policy_dists_suite.property_tests.numerics import eps, softplus64, tanh_bounded_positive64

# Around softplus's usual threshold=20 shortcut, the underflow of e^x, and large |x|.
X_GRID = [-1e4, -60.0, -30.0, -20.0, -5.0, -1.0, 0.0, 1.0, 5.0, 19.0, 21.0, 25.0, 30.0, 40.0, 1e4]


def _in_dtype(value: float, dtype: torch.dtype) -> float:
    return float(torch.tensor(value, dtype=dtype))


def test_softplus_bounded_positive_is_exact_softplus_plus_low(
    impl: types.ModuleType, dtype: torch.dtype
) -> None:
    x = torch.tensor(X_GRID, dtype=dtype)
    got = impl.softplus_bounded_positive(x, 1e-3)
    assert got.dtype == dtype
    # softplus within 3 ulps, "+ low" one more rounding. torch's F.softplus returns x for
    # x > 20: 25.001 instead of 25.001 + 1.4e-11, a 5.6e-13 relative error (>> 4 eps(float64)).
    torch.testing.assert_close(got.double(), softplus64(x) + 1e-3, rtol=4 * eps(dtype), atol=0)


def test_softplus_bounded_positive_clamps_at_high_with_zero_gradient(
    impl: types.ModuleType, dtype: torch.dtype
) -> None:
    x = torch.tensor(X_GRID, dtype=dtype, requires_grad=True)
    low, high = 0.1, 2.0
    out = impl.softplus_bounded_positive(x, low, high)
    (grad,) = torch.autograd.grad(out.sum(), x)
    unclamped = softplus64(x.detach()) + low
    clamped = unclamped > high
    assert bool(clamped.any()) and bool((~clamped).any())
    assert bool((out.detach()[clamped] == _in_dtype(high, dtype)).all())
    assert bool((grad[clamped] == 0).all())
    # d softplus / dx = sigmoid(x), within 4 ulps where the clamp is inactive.
    torch.testing.assert_close(
        grad[~clamped].double(),
        torch.sigmoid(x.detach()[~clamped].double()),
        rtol=4 * eps(dtype),
        atol=4 * eps(dtype) * torch.finfo(dtype).tiny,
    )


@pytest.mark.extension("strict_validation")
def test_an_underflowed_softplus_passes_no_gradient(
    impl: types.ModuleType, dtype: torch.dtype
) -> None:
    """Where softplus(x) underflows to exactly 0 its derivative is 0 in floating point, and it
    stays 0 under an infinite upstream gradient (an overflowed z^2 in a far tail), not NaN;
    elsewhere the upstream gradient passes through sigmoid(x) as usual."""
    x = torch.tensor([-1e4, -800.0, 0.0, 0.5413248546129181], dtype=dtype, requires_grad=True)
    out = impl.softplus_bounded_positive(x, 0.1)
    upstream = torch.tensor([math.inf, math.inf, 1.0, 1.0], dtype=dtype)
    (grad,) = torch.autograd.grad(out, x, grad_outputs=upstream)
    assert bool((grad[:2] == 0).all()), grad
    # sigmoid(x) within 4 ulps (its rounding in the dtype and softplus's backward).
    torch.testing.assert_close(
        grad[2:].double(), torch.sigmoid(x.detach()[2:].double()), rtol=4 * eps(dtype), atol=0
    )


@pytest.mark.extension("zero_high_bound")
def test_softplus_bounded_positive_high_zero_is_a_bound(
    impl: types.ModuleType, dtype: torch.dtype
) -> None:
    # high=0.0 with low=-1 bounds the output at 0 (upstream's `high or inf` ignores it).
    out = impl.softplus_bounded_positive(torch.tensor([5.0, 50.0], dtype=dtype), -1.0, 0.0)
    assert bool((out == 0).all()), (
        f"softplus_bounded_positive(x, low=-1, high=0): got {out.tolist()} expected 0 (the bound)"
    )


def test_tanh_bounded_positive_values_and_range(impl: types.ModuleType, dtype: torch.dtype) -> None:
    low, high = math.exp(-5), math.exp(2)
    x = torch.tensor(X_GRID, dtype=dtype)
    got = impl.tanh_bounded_positive(x, low, high)
    assert got.dtype == dtype
    # exp(L) with |L| <= 5: L carries ~4 roundings of |L|, exp one more of the result.
    rtol = (4 * 5 + 4) * eps(dtype)
    torch.testing.assert_close(
        got.double(), tanh_bounded_positive64(x, low, high), rtol=rtol, atol=0
    )
    assert bool((got >= _in_dtype(low, dtype)).all()) and bool(
        (got <= _in_dtype(high, dtype)).all()
    )


@pytest.mark.extension("strict_validation")
@pytest.mark.parametrize(("low", "high"), [(1.0, 0.0), (1.0, 0.5), (0.0, -1.0)])
def test_softplus_bounded_positive_rejects_high_below_low(
    impl: types.ModuleType, low: float, high: float
) -> None:
    # An empty range. The message names the function and both bounds, each as a word.
    with pytest.raises(ValueError, match=r"\bsoftplus_bounded_positive\b.*\blow\b.*\bhigh\b"):
        impl.softplus_bounded_positive(torch.zeros(3), low, high)


@pytest.mark.extension("strict_validation")
@pytest.mark.parametrize(
    ("low", "high"), [(0.0, 1.0), (-1.0, 1.0), (2.0, 1.0), (1.0, math.inf), (1.0, None)]
)
def test_tanh_bounded_positive_requires_0_lt_low_le_high_lt_inf(
    impl: types.ModuleType, low: float, high: float | None
) -> None:
    # log high = inf would make the value inf, or NaN where (tanh x + 1)/2 is 0.
    with pytest.raises(ValueError, match=r"\btanh_bounded_positive\b.*\blow\b.*\bhigh\b"):
        impl.tanh_bounded_positive(torch.zeros(3), low, high)


@pytest.mark.parametrize("name", ["softplus_bounded_positive", "tanh_bounded_positive"])
def test_equal_bounds_give_the_constant_low(
    impl: types.ModuleType, name: str, dtype: torch.dtype
) -> None:
    """high == low is a fixed parameter, as upstream: softplus_bounded_positive clamps to
    high = low (exact, the dtype's low), tanh_bounded_positive is exp(log low): log low rounded
    to the dtype (u |log low| absolute, |log 0.7| < 1) and exp's own <= 2 ulps, <= 3 eps
    relative. Its gradient is 0: the exact function is constant, so any gradient is error,
    within GRAD's 32 eps max(1, |g*|) = 32 eps."""
    x = torch.tensor(X_GRID, dtype=dtype, requires_grad=True)
    out = getattr(impl, name)(x, 0.7, 0.7)
    (grad,) = torch.autograd.grad(out.sum(), x)
    torch.testing.assert_close(
        out.detach().double(),
        torch.full_like(x, _in_dtype(0.7, dtype), dtype=torch.float64),
        rtol=3 * eps(dtype),
        atol=0,
    )
    assert bool((grad.abs() <= 32 * eps(dtype)).all()), grad
