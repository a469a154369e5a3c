"""GMM: a mixture of identical modes is that one mode, whatever its weights.

With every mode at the same mean and std, the responsibilities are the weights, and the
mode gradients split by them: sum_m d log p / d mean_m equals d log p / d mean of the
one-mode GMM at the same mean, std and action. Both sides are the implementation's, at the
same inputs, so the error model counts only the roundings by which the two computations
differ, not the conditioning of the inputs.
"""

from __future__ import annotations

import types

import numpy as np
import torch
from hypothesis import given
from hypothesis import strategies as st

from policy_dists_catalogue import (
    SATURATE_HIGH,
    SATURATE_LOW,
    STRESS_CONFIGS,
    error_model,
    gmm_vec,
    module_kwargs,
)
from policy_dists_suite.property_tests.strategies import (
    FIXTURE_SAFE,
    action_array,
    box_actions,
    ordinary,
)
from policy_dists_suite.property_tests.verdict import assert_within


def _mean_gradient(
    gmm: object,
    modes: int,
    vec: np.ndarray,
    action: np.ndarray,
    dtype: torch.dtype,
    device: torch.device,
) -> np.ndarray:
    """sum over the modes of d log p / d mean_m, (d,), for one vec row and action."""
    d = action.shape[-1]
    vec_t = torch.tensor(vec, dtype=dtype, device=device, requires_grad=True)
    action_t = torch.tensor(action, dtype=dtype, device=device)
    (grad,) = torch.autograd.grad(gmm(vec_t).log_prob(action_t).sum(), vec_t)
    return grad[..., : modes * d].reshape(modes, d).sum(0).double().cpu().numpy()


@FIXTURE_SAFE
@given(data=st.data())
def test_identical_gmm_modes_are_the_one_mode(
    impl: types.ModuleType, dtype: torch.dtype, device: torch.device, data: st.DataObject
) -> None:
    """Error model, relative to the one-mode gradient g1 = z / sigma (the terms of the sum
    share its sign, so relative errors add):
    - the weights: log_softmax(logits) is off by eps (|log w_m| + M + 1)/2 absolute, which
      moves softmax(log w) by twice that relative; softmax itself by eps (|log w_m - max|/2
      + 1 + (M - 1)/2 + 1/2): together <= eps (2 max |log w| + 2 M + 2);
    - each side's two roundings (r_m / sigma, times z): 2 eps;
    - the sum over the M modes: (M - 1) eps / 2, counted as M eps.
    An implementation that adds log w_m to the mode log-densities before normalizing them
    rounds the weights to ulp(log N_m): eps |log N| relative, 1e5 eps and more at a = 1 -
    10^-6 with a small std.
    """
    d = data.draw(st.integers(1, 2), label="d_action")
    modes = data.draw(st.sampled_from([2, 3, 5]), label="modes")
    config = data.draw(st.sampled_from(STRESS_CONFIGS["GMM"]), label="config")
    kwargs = module_kwargs(impl, config)
    raw = st.one_of(st.sampled_from([SATURATE_LOW, SATURATE_HIGH]), ordinary(dtype))
    mean = data.draw(st.lists(ordinary(dtype), min_size=d, max_size=d), label="mean")
    raw_std = data.draw(st.lists(raw, min_size=d, max_size=d), label="raw std")
    logits = data.draw(st.lists(ordinary(dtype), min_size=modes, max_size=modes), label="logits")
    action = data.draw(action_array((1, d), box_actions(dtype)), label="action")
    mixture = np.array([gmm_vec(mean * modes, raw_std * modes, logits)])
    one = np.array([gmm_vec(mean, raw_std, [0.0])])
    mixture_gmm = impl.GMM(d, gmm_modes=modes, **kwargs)
    got = _mean_gradient(mixture_gmm, modes, mixture, action, dtype, device)
    want = _mean_gradient(impl.GMM(d, gmm_modes=1, **kwargs), 1, one, action, dtype, device)
    log_weights = np.asarray(logits) - np.logaddexp.reduce(np.asarray(logits))
    units = 2 * np.abs(log_weights).max() + 2 * modes + 2 + 2 + modes
    tolerance = units * error_model.eps(dtype) * np.abs(want)
    assert_within(
        "GMM",
        "sum of the mode-mean gradients of identical modes (vs one mode)",
        got,
        want,
        tolerance,
        {"mean": mean, "raw std": raw_std, "logits": logits, "action": action},
    )
