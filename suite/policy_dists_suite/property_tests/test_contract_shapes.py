"""SPEC §4 shapes: input_dimension, batch/event shapes, sample/rsample/log_prob/mean/entropy.

Every (output, leading dims of vec) pair of the registry. A 1-D vec and an empty batch
(SPEC §6: both work) are a family each, checking every operation at once: a module that fails
on them shows one failure per output there, not one in every other family.
"""

from __future__ import annotations

import types

import pytest
import torch

from policy_dists_suite.property_tests.extensions import has_extension
from policy_dists_suite.property_tests.registry import (
    CASES,
    EMPTY_BATCH,
    LEADS,
    ONE_DIMENSIONAL,
    POLICY_OUTPUT_CASES,
    SAMPLE_SHAPES,
    OutputCase,
    Shape,
    Support,
    case_lead_params,
    case_param,
    case_params,
)


@pytest.mark.parametrize("case", case_params(POLICY_OUTPUT_CASES))
@pytest.mark.parametrize("d_action", [1, 3, 6])
def test_input_dimension(impl: types.ModuleType, case: OutputCase, d_action: int) -> None:
    kwargs = {**case.output_kwargs, "d_action": d_action}
    assert case.policy_output(impl, d_action=d_action).input_dimension == case.input_dimension(
        kwargs
    )


@pytest.mark.parametrize("gmm_modes", [1, 2, 7])
def test_gmm_input_dimension_counts_modes(impl: types.ModuleType, gmm_modes: int) -> None:
    # 2 M d means and stds plus M logits (SPEC §4 GMM), with d = 3.
    assert impl.GMM(3, gmm_modes=gmm_modes).input_dimension == 2 * gmm_modes * 3 + gmm_modes


@pytest.mark.parametrize(("case", "lead"), case_lead_params())
def test_sample_log_prob_and_mean_shapes(
    impl: types.ModuleType,
    case: OutputCase,
    lead: Shape,
    device: torch.device,
    dtype: torch.dtype,
) -> None:
    _check_sample_log_prob_and_mean(impl, case, lead, device, dtype)


def _check_sample_log_prob_and_mean(
    impl: types.ModuleType, case: OutputCase, lead: Shape, device: torch.device, dtype: torch.dtype
) -> None:
    kw = case.output_kwargs
    dist = case.distribution(impl, torch.randn(case.vec_shape(lead), dtype=dtype, device=device))
    for sample_shape in SAMPLE_SHAPES:
        full = (*sample_shape, *lead)
        sample = dist.sample(sample_shape)
        want = case.action_shape(full, kw)
        assert sample.shape == want, (
            f"{case.name} sample({sample_shape}) for vec lead {lead}: got shape "
            f"{tuple(sample.shape)} expected {want}"
        )
        assert sample.device.type == device.type
        actions = case.make_actions(full, kw, dtype, device)
        got, want = dist.log_prob(actions).shape, case.log_prob_shape(full, kw)
        assert got == want, (
            f"{case.name} log_prob of actions {tuple(actions.shape)} for vec lead {lead}: got "
            f"shape {tuple(got)} expected {want}"
        )
    if case.has_mean:
        got, want = dist.mean.shape, case.action_shape(lead, kw)
        assert got == want, (
            f"{case.name} mean for vec lead {lead}: got shape {tuple(got)} expected {want}"
        )


DISTRIBUTION_CASES = tuple(c for c in CASES if c.batch_shape is not None)


@pytest.mark.parametrize(
    ("case", "lead"),
    case_lead_params(DISTRIBUTION_CASES, features=("distribution_shapes",)),
)
def test_batch_and_event_shapes(
    impl: types.ModuleType, case: OutputCase, lead: Shape, dtype: torch.dtype
) -> None:
    """torch's batch_shape and event_shape of the returned Distribution (for an empty batch:
    the empty-batch family, so one crash there is not reported twice)."""
    kw = case.output_kwargs
    dist = case.distribution(impl, torch.randn(case.vec_shape(lead), dtype=dtype))
    assert isinstance(dist, torch.distributions.Distribution), (
        f"{case.name}: got a {type(dist).__name__}, expected a torch Distribution"
    )
    got = (tuple(dist.batch_shape), tuple(dist.event_shape))
    want = (case.batch_shape(lead, kw), case.event_shape(kw))
    assert got == want, (
        f"{case.name} (batch_shape, event_shape) for vec lead {lead}: got {got} expected {want}"
    )


def _rsample_params() -> list[object]:
    return [
        case_param(
            case,
            lead,
            sample_shape,
            features=("rsample_sample_shape",) if sample_shape != () else (),
        )
        for case in CASES
        if case.rsample is Support.YES
        for lead in LEADS
        for sample_shape in SAMPLE_SHAPES
    ]


@pytest.mark.parametrize(("case", "lead", "sample_shape"), _rsample_params())
def test_rsample_shape(
    impl: types.ModuleType,
    case: OutputCase,
    lead: Shape,
    sample_shape: Shape,
    device: torch.device,
    dtype: torch.dtype,
) -> None:
    dist = case.distribution(impl, torch.randn(case.vec_shape(lead), dtype=dtype, device=device))
    # Upstream DiscreteLikeContinuous.rsample takes no argument: call it bare for shape ().
    sample = dist.rsample(sample_shape) if sample_shape else dist.rsample()
    assert sample.shape == case.action_shape((*sample_shape, *lead), case.output_kwargs)


def _entropy_params() -> list[object]:
    return [
        case_param(case, lead, features=("entropy",))
        for case in CASES
        if case.entropy is Support.YES
        for lead in LEADS
    ]


@pytest.mark.parametrize(("case", "lead"), _entropy_params())
def test_entropy_shape(
    impl: types.ModuleType, case: OutputCase, lead: Shape, device: torch.device, dtype: torch.dtype
) -> None:
    dist = case.distribution(impl, torch.randn(case.vec_shape(lead), dtype=dtype, device=device))
    assert dist.entropy().shape == case.log_prob_shape(lead, case.output_kwargs)


def _check_every_operation(
    impl: types.ModuleType,
    is_default_impl: bool,
    case: OutputCase,
    lead: Shape,
    device: torch.device,
    dtype: torch.dtype,
) -> None:
    """sample, log_prob and mean, then rsample and entropy where SPEC has them (their
    extensions where the module has those), all with their shapes for `lead`."""
    _check_sample_log_prob_and_mean(impl, case, lead, device, dtype)
    dist = case.distribution(impl, torch.randn(case.vec_shape(lead), dtype=dtype, device=device))
    if case.rsample is Support.YES:
        assert dist.rsample().shape == case.action_shape(lead, case.output_kwargs)
    entropy = case.extensions.get("entropy")
    if case.entropy is Support.YES and (
        entropy is None or has_extension(impl, is_default_impl, entropy)
    ):
        assert dist.entropy().shape == case.log_prob_shape(lead, case.output_kwargs)
    shapes = case.extensions.get("distribution_shapes")
    if case.batch_shape is not None and (
        shapes is None or has_extension(impl, is_default_impl, shapes)
    ):
        got = (tuple(dist.batch_shape), tuple(dist.event_shape))
        want = (case.batch_shape(lead, case.output_kwargs), case.event_shape(case.output_kwargs))
        assert got == want, (
            f"{case.name} (batch_shape, event_shape) for vec lead {lead}: got {got} expected {want}"
        )


@pytest.mark.parametrize("case", case_params())
def test_an_empty_batch_gives_empty_results(
    impl: types.ModuleType,
    is_default_impl: bool,
    case: OutputCase,
    device: torch.device,
    dtype: torch.dtype,
) -> None:
    """SPEC §6: a zero-size leading dim works: every operation returns its empty result."""
    _check_every_operation(impl, is_default_impl, case, EMPTY_BATCH, device, dtype)


@pytest.mark.parametrize("case", case_params(features=("batchless",)))
def test_a_one_dimensional_vec_gives_unbatched_results(
    impl: types.ModuleType,
    is_default_impl: bool,
    case: OutputCase,
    device: torch.device,
    dtype: torch.dtype,
) -> None:
    """SPEC §6: a 1-D vec works (GMM's: a policy-dists extension), with no batch dims."""
    _check_every_operation(impl, is_default_impl, case, ONE_DIMENSIONAL, device, dtype)


@pytest.mark.parametrize("case", case_params(DISTRIBUTION_CASES, features=("distribution_shapes",)))
def test_support_matches_samples_and_event_shape(
    impl: types.ModuleType, case: OutputCase, dtype: torch.dtype
) -> None:
    lead = (3,)
    dist = case.distribution(impl, torch.randn(case.vec_shape(lead), dtype=dtype))
    assert dist.support.event_dim == len(dist.event_shape)
    assert bool(dist.support.check(dist.sample((7,))).all())
    actions = case.make_actions(lead, case.output_kwargs, dtype, torch.device("cpu"))
    assert bool(dist.support.check(actions).all())
