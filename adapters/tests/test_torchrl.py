"""Facts about TorchRL's policy outputs (torchrl and tensordict pinned in constraints.txt),
measured against the exact densities of their parameterization (the reference with
DECLARED_CONFIGS). A TorchRL release that changes these numerics fails here with the figure
it moved."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
import torch
import torch.distributions as D

import policy_dists_reference as reference
from policy_dists_adapters import torchrl, torchrl_plain_tanh
from policy_dists_reference.activations import biased_softplus_shift

CONFIG = torchrl.DECLARED_CONFIGS["TanhGaussian"]
VEC = [0.3, -0.5]  # loc 0.3, raw scale -0.5 (scale 0.77)
DTYPES = {torch.float32: np.float32, torch.float64: np.float64}


def _log_prob(module: object, action: float, dtype: torch.dtype) -> float:
    dist = module.TanhGaussian(1)(torch.tensor([VEC], dtype=dtype))
    return float(dist.log_prob(torch.tensor([[action]], dtype=dtype))[0, 0])


def _exact_log_prob(action: float) -> float:
    ref = reference.TanhGaussian(1, **CONFIG)
    return float(ref.log_prob(np.array([VEC]), np.array([[action]]), np.float64)[0, 0])


def _below_one(dtype: torch.dtype) -> float:
    return float(np.nextafter(DTYPES[dtype](1), DTYPES[dtype](0)))


def test_the_scale_mapping_is_the_declared_biased_softplus() -> None:
    """tensordict's shift is the reference's float32 c bit for bit (0x1.0d08ecp-1), and the
    mapping's lower bound 0.01 is the declared std_low."""
    assert torchrl.EXTRACTOR.scale_mapping.bias == biased_softplus_shift(0.01)
    assert CONFIG["std_low"] == 0.01


@pytest.mark.parametrize(("dtype", "nats"), [(torch.float32, 18.32), (torch.float64, 36.09)])
def test_safe_tanh_scores_the_last_floats_below_one_at_one_minus_resolution(
    dtype: torch.dtype, nats: float
) -> None:
    """safe_tanh clamps the action to 1 - finfo.resolution (1e-6, 1e-15) before atanh: exact
    up to there (float32: 4e-6 nats of rounding at 1 - 1e-6), then every action above it
    scores as 1 - resolution, too high by up to 18.3 (float32) / 36.1 (float64) nats at the
    largest float below 1 here; the figures hold to 0.01 nats (rounding is below 1e-5)."""
    resolution = torch.finfo(dtype).resolution
    clamp = float(DTYPES[dtype](1 - resolution))
    assert abs(_log_prob(torchrl, clamp, dtype) - _exact_log_prob(clamp)) < 1e-5
    error = _log_prob(torchrl, _below_one(dtype), dtype) - _exact_log_prob(_below_one(dtype))
    assert error == pytest.approx(nats, abs=0.01)


@pytest.mark.parametrize("dtype", DTYPES)
def test_safe_tanh_scores_one_and_beyond_finite_where_the_density_is_zero(
    dtype: torch.dtype,
) -> None:
    """a = 1 and a = 1.5 (outside the support) score like 1 - resolution: finite."""
    assert _exact_log_prob(1.0) == -math.inf
    at_clamp = _log_prob(torchrl, _below_one(dtype), dtype)
    assert _log_prob(torchrl, 1.0, dtype) == at_clamp
    assert _log_prob(torchrl, 1.5, dtype) == at_clamp


@pytest.mark.parametrize("dtype", DTYPES)
def test_plain_tanh_is_exact_below_one_and_nan_at_one(dtype: torch.dtype) -> None:
    """safe_tanh=False scores the largest float below 1 within 2e-6 nats (float32 rounding of
    a log-density of 53; float64 4e-13) and returns NaN at a = 1 (atanh(1) = inf, and the
    Jacobian term is inf - inf)."""
    below = _below_one(dtype)
    tolerance = {torch.float32: 2e-6, torch.float64: 4e-13}[dtype]
    assert abs(_log_prob(torchrl_plain_tanh, below, dtype) - _exact_log_prob(below)) < tolerance
    assert math.isnan(_log_prob(torchrl_plain_tanh, 1.0, dtype))


def test_own_sample_score_drops_the_softplus_tail_beyond_ten() -> None:
    """TorchRL scores its own draws by torch's TanhTransform.log_abs_det_jacobian, 2(log 2 - x
    - softplus(-2x)); F.softplus returns its input above 20, so for |x| > 10 the Jacobian
    term drops 2 log1p(e^{-2|x|}): 1.52e-9 nats at x = -10.5 in float64 (1e5 eps of the
    score), the own-sample figure the audit reports."""
    dist = torchrl.TanhGaussian(1)(torch.tensor([VEC], dtype=torch.float64))
    transform = dist.torchrl.transforms[0]
    x = torch.tensor(-10.5, dtype=torch.float64)
    got = float(transform.log_abs_det_jacobian(x, torch.tanh(x)))
    exact = 2 * (math.log(2) - 10.5 - math.log1p(math.exp(-21.0)))
    assert got - exact == pytest.approx(2 * math.log1p(math.exp(-21.0)), rel=1e-6)


def test_tanh_normal_log_prob_fails_with_validation_on() -> None:
    """torchrl 0.14.1's TanhNormal.support calls constraints.real(), an instance: with
    torch.distributions validation on (which importing torchrl switches off) log_prob raises
    TypeError. The adapter calls TorchRL with validation off, as a TorchRL process runs."""
    dist = torchrl.TanhGaussian(1)(torch.tensor([VEC]))
    before = D.Distribution._validate_args
    D.Distribution.set_default_validate_args(True)
    try:
        with pytest.raises(TypeError, match="not callable"):
            dist.torchrl.log_prob(torch.tensor([[0.5]]))
    finally:
        D.Distribution.set_default_validate_args(before)
    assert math.isfinite(float(dist.log_prob(torch.tensor([[0.5]]))[0, 0]))


def test_importing_the_adapters_leaves_torch_distribution_validation_alone() -> None:
    """Importing torchrl alone switches validation off process-wide; importing the adapters
    (which import torchrl) leaves it as it was, and so does using them."""
    alone = (
        "import torch.distributions as D; import torchrl.modules.distributions; "
        "raise SystemExit(int(D.Distribution._validate_args))"
    )
    assert subprocess.run([sys.executable, "-c", alone], check=False).returncode == 0
    adapted = (
        "import torch, torch.distributions as D; before = D.Distribution._validate_args; "
        "from policy_dists_adapters import torchrl, torchrl_plain_tanh; "
        "d = torchrl.TanhGaussian(1)(torch.zeros(1, 2)); d.log_prob(d.rsample()); "
        "torchrl.Discrete(3)(torch.zeros(1, 3)).entropy(); "
        "raise SystemExit(int(D.Distribution._validate_args != before or not before))"
    )
    assert subprocess.run([sys.executable, "-c", adapted], check=False).returncode == 0
