"""The policy-dists extensions beyond the seed page's API, and the one place that decides
whether a test of an extension runs.

SPEC §8: tests of this project's extensions run on the default implementation and are skipped,
with a reason, for an implementation that lacks them. A test declares the extension it needs
with `@pytest.mark.extension("<name>")` (or a `pytest.param(..., marks=...)` mark); the autouse
fixture in `property_tests/conftest.py` calls `requires_extension` for it.

On the default implementation an extension test always runs (a missing extension is a
failure there, never a skip). On another implementation it runs only when a probe shows the
extension's API is present; extensions that are behaviours rather than new names cannot be
probed and run on the default implementation only.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import torch


@dataclass(frozen=True)
class Extension:
    description: str
    # Answers "does this implementation have the extension's API?"; None for a behaviour
    # (a stricter check, a new accepted shape) that no probe can tell from a bug.
    probe: Callable[[types.ModuleType], bool] | None


def _has_sample_and_log_prob(impl: types.ModuleType) -> bool:
    dist = impl.TanhGaussian(1)(torch.zeros(2))
    return hasattr(dist, "rsample_and_log_prob") and hasattr(dist, "sample_and_log_prob")


def _has_beta_entropy(impl: types.ModuleType) -> bool:
    try:
        impl.Beta(1)(torch.zeros(2)).entropy()
    except NotImplementedError:
        return False
    return True


def _dlc_rsample_takes_sample_shape(impl: types.ModuleType) -> bool:
    return len(inspect.signature(impl.DiscreteLikeContinuous.rsample).parameters) > 1


def _gmm_takes_clip_kwarg(impl: types.ModuleType) -> bool:
    return "clip_actions_on_log_prob" in inspect.signature(impl.GMM).parameters


def _gin_registers_activations(impl: types.ModuleType) -> bool:
    """Whether gin knows the module's activation functions (the seed page registers only the
    classes)."""
    import gin

    targets = {impl.softplus_bounded_positive, impl.tanh_bounded_positive}
    return all(
        any(t in (c.wrapper, c.wrapped) for _, c in gin.config._REGISTRY.items()) for t in targets
    )


EXTENSIONS: dict[str, Extension] = {
    "gin_activations": Extension(
        "both activations are gin configurables, so `std_activation = @softplus_bounded_positive`"
        " binds (SPEC §5; the seed page marks only the classes @gin.configurable)",
        _gin_registers_activations,
    ),
    "zero_high_bound": Extension(
        # Reachable only with a negative low, which no positive std uses.
        "softplus_bounded_positive takes high = 0.0 as a bound, where `high or inf` reads "
        "it as none (SPEC §5)",
        None,
    ),
    "bounds_exact_in_dtype": Extension(
        # The bounds test allows the activation's error model; this asks for none at the ends.
        "tanh_bounded_positive saturates within [low, high] as rounded to the dtype, where "
        "exp(log(high)) may round one ulp outside (SPEC §5)",
        None,
    ),
    "sample_and_log_prob": Extension(
        "rsample_and_log_prob / sample_and_log_prob (SPEC §4 TanhGaussian, new)",
        _has_sample_and_log_prob,
    ),
    "beta_entropy": Extension("Beta.entropy() (SPEC §4 Beta, new)", _has_beta_entropy),
    "multibinary_mode": Extension(
        # torch's own Bernoulli.mode is NaN at probs == 0.5, so its presence proves nothing.
        "Multibinary mode = (probs > 0.5) as float (SPEC §4 Multibinary, new)",
        None,
    ),
    "multibinary_exact_tails": Extension(
        # The contract's entropy budget admits the usual evaluation's 8 eps (1 + |x|) absolute.
        "Multibinary entropy correctly rounded in float32 where its terms are subnormal "
        "(|logit| > 87; README)",
        None,
    ),
    "discrete_log_prob_of_sample": Extension(
        "Discrete log_prob of sample()'s batch_shape + (1,) indices (SPEC §4 Discrete, new)",
        None,
    ),
    "dlc_rsample_sample_shape": Extension(
        "DiscreteLikeContinuous.rsample(sample_shape) (SPEC §4, new)",
        _dlc_rsample_takes_sample_shape,
    ),
    "gmm_batchless": Extension("GMM on a 1-D vec (SPEC §4 GMM, new)", None),
    "gmm_distribution_shapes": Extension(
        # Upstream's GMM distribution reports batch_shape () and no support.
        "GMM's distribution has torch's batch_shape, event_shape and support (SPEC §4 GMM; the "
        "seed page promises only log_prob and sample)",
        None,
    ),
    "gmm_own_samples": Extension(
        "GMM scores its own draws exactly from their pre-squash value (SPEC §4 GMM; the seed "
        "page's GMM takes the pre-squash value as an explicit argument)",
        None,
    ),
    "gmm_clip_kwarg": Extension(
        "GMM's clip_actions_on_log_prob keyword (SPEC §4 GMM, new)", _gmm_takes_clip_kwarg
    ),
    "clamps_actions_outside_the_box": Extension(
        # Upstream GMM returns NaN there, upstream TanhGaussian raises under torch validation.
        "log_prob clamps actions outside [-1, 1] to the clip bounds like any other action "
        "(SPEC §4: c = clamp(a, l, h))",
        None,
    ),
    "actions_cast": Extension(
        "log_prob casts actions of another dtype (floating, bool or integer 0/1) to the "
        "distribution's dtype, where torch's type promotion would widen the result",
        None,
    ),
    "nan_samples": Extension(
        "a NaN anywhere in a row of vec makes every draw of that row NaN, never a plausible "
        "action (float samples; integer Discrete samples carry it into log_prob only)",
        None,
    ),
    "exact_ends": Extension(
        "under a (-1, 1) clip, log_prob at an action of exactly ±1 is -inf, not NaN, with zero "
        "gradients, for the tanh-squashed outputs",
        None,
    ),
    "dlc_distribution": Extension(
        "DiscreteLikeContinuous is a torch Distribution with batch_shape and event_shape "
        "(README, differences from amago)",
        lambda impl: issubclass(impl.DiscreteLikeContinuous, torch.distributions.Distribution),
    ),
    "nan_statistics": Extension(
        "log_dict statistics that are undefined (any of an empty batch, std of one value) are "
        "NaN, with no error and no warning",
        None,
    ),
    "half_in_float32": Extension(
        "float16/bfloat16 vec is computed in float32 and the distribution's outputs are "
        "float32 (SPEC §6)",
        None,
    ),
    "nan_propagates": Extension(
        "a NaN in vec propagates as NaN into log_prob, mean and probs of its row, and never "
        "raises (SPEC §6); the seed page's API may as well raise",
        None,
    ),
    "rsample_hint": Extension(
        "Discrete's rsample error names DiscreteLikeContinuous (SPEC §4 Discrete)", None
    ),
    "dlc_soft_actions": Extension(
        "DiscreteLikeContinuous.log_prob scores soft actions by their argmax and never raises, "
        "under torch validation too (SPEC §4; torch's OneHotCategorical raises)",
        None,
    ),
    "set_validation": Extension(
        "the opt-in validation switch set_validation / POLICY_DISTS_VALIDATE (SPEC §6, new)",
        lambda impl: hasattr(impl, "set_validation"),
    ),
    "exact_categorical_normalization": Extension(
        # torch's Categorical(logits=x) forms x - logsumexp(x): backward stable, not better.
        "Discrete's log-probabilities, probabilities and entropy carry only their own "
        "rounding, not the logits' magnitude (error_model.categorical_input_cond; README)",
        None,
    ),
    "strict_validation": Extension(
        "policy-dists' stricter argument checking: constructor ValueErrors, wrong last "
        "dimension ValueError, TypeError for a non-floating vec (SPEC §3, §5, §6)",
        None,
    ),
}


def has_extension(impl: types.ModuleType, is_default_impl: bool, name: str) -> bool:
    """Whether a test may use extension `name` on `impl` (always on the default one).

    For a property test that covers the seed page's API and adds the extension's part (a
    1-D vec, say) only where the implementation has it, instead of skipping."""
    extension = EXTENSIONS[name]
    return is_default_impl or (extension.probe is not None and extension.probe(impl))


def requires_extension(impl: types.ModuleType, is_default_impl: bool, name: str) -> None:
    """Skip the calling test, with a reason, when `impl` lacks extension `name`."""
    extension = EXTENSIONS[name]
    if has_extension(impl, is_default_impl, name):
        return
    why = "its API is absent" if extension.probe is not None else "a behaviour no probe can see"
    pytest.skip(
        f"policy-dists extension {name!r} ({extension.description}) is not part of the seed "
        f"page's API and {impl.__name__} lacks it ({why})"
    )
