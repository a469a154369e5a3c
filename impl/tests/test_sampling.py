"""policy_dists.sampling: the bound that keeps an inverse-CDF draw off an empty last category.

categorical_index draws the first k with cumsum(p)_k > U t, t = sum(p), and bounds U by
1 - 2^-p (p the dtype's precision). Its docstring argues that U t then rounds strictly below
any t above the smallest normal number; these tests check that claim where it is tightest
(t at and next to powers of two, where half an ulp of t is closest to t 2^-p) and across
exponents, and that a draw forced to the bound never lands in a zero-probability last
category. (At t = the smallest normal itself, U t is a tie that rounds up to t.)
"""

from __future__ import annotations

import math

import pytest
import torch

from policy_dists.sampling import categorical_index

DTYPES = (torch.float32, torch.float64)


def _normal_totals(dtype: torch.dtype) -> torch.Tensor:
    """Powers of two over the normal range, each with its next values up and down, and
    uniformly spread mantissas at every tenth exponent; all above the smallest normal."""
    info = torch.finfo(dtype)
    low, high = math.frexp(info.tiny)[1] - 1, math.frexp(info.max)[1] - 1
    powers = torch.tensor([math.ldexp(1.0, e) for e in range(low, high + 1)], dtype=dtype)
    neighbours = [powers, torch.nextafter(powers, torch.full_like(powers, info.max))]
    neighbours.append(torch.nextafter(powers, torch.zeros_like(powers))[1:])  # normal only
    mantissas = torch.linspace(1.0, 2.0, 1001, dtype=dtype)[:-1]
    spread = (mantissas[:, None] * powers[None, ::10]).flatten()
    totals = torch.cat([*neighbours, spread])
    return totals[torch.isfinite(totals) & (totals > info.tiny)]


@pytest.mark.parametrize("dtype", DTYPES)
def test_bounded_uniform_times_total_rounds_below_the_total(dtype: torch.dtype) -> None:
    totals = _normal_totals(dtype)
    bound = torch.tensor(1.0 - torch.finfo(dtype).eps / 2, dtype=dtype)
    assert bound < 1.0
    below = bound * totals < totals
    assert bool(below.all()), totals[~below][:5]


@pytest.mark.parametrize("dtype", DTYPES)
def test_draw_at_the_bound_never_picks_an_empty_last_category(
    dtype: torch.dtype, monkeypatch: pytest.MonkeyPatch
) -> None:
    """torch.rand replaced by ones (beyond what it returns): the clamp brings U to the bound,
    and the last category, of probability 0, is still never chosen."""
    monkeypatch.setattr(torch, "rand", lambda *args, **kwargs: torch.ones(*args, **kwargs))
    probs = torch.tensor([[0.25, 0.75, 0.0], [1.0 / 3.0, 2.0 / 3.0, 0.0]], dtype=dtype)
    index = categorical_index(probs, torch.Size((4,)))
    assert index.shape == (4, 2)
    assert bool((index == 1).all()), index
