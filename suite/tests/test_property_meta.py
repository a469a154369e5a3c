"""The suite proves its power (SPEC §8): run against each deliberately broken implementation
in suite/tests/policy_dists_broken (the real policy_dists with one bug injected), the property
tests that own the broken property fail, and only for the reason expected.

Each run is a subprocess `python -m pytest <files> -k <selection> --impl
policy_dists_broken.<name>` under the `meta` hypothesis profile (the derandomized `ci`
examples without shrinking: policy_dists_suite/plugin.py), targeted at the output and the
families concerned to keep the whole meta-suite within about a minute.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SUITE = "suite/policy_dists_suite/property_tests"


@dataclass(frozen=True)
class Broken:
    module: str  # policy_dists_broken.<module>
    files: tuple[str, ...]  # the property families run against it (SUITE/<file>)
    selection: str  # pytest -k
    expected: str  # "<file>::<test name>" prefix some failing test id must start with


BROKEN: tuple[Broken, ...] = (
    Broken(
        "tanh_jacobian_sign",
        ("test_property_normalization.py", "test_property_bounds.py"),
        "TanhGaussian",
        "test_property_normalization.py::test_density_integrates",
    ),
    Broken(
        "swapped_beta_parameters",
        ("test_property_goodness_of_fit.py", "test_property_normalization.py"),
        "Beta",
        "test_property_goodness_of_fit.py::test_continuous_marginals",
    ),
    Broken(
        "missed_clip",
        ("test_property_clipping.py",),
        "TanhGaussian and (past_the_clip or finite_on)",
        "test_property_clipping.py::test_past_the_clip_bound_equals_the_value_at_the_bound",
    ),
    Broken(
        "ignored_std_bound",
        ("test_property_bounds.py",),
        "TanhGaussian",
        "test_property_bounds.py::test_activated_parameters_lie_within_their_bounds",
    ),
    Broken(
        "unnormalized_mixture",
        ("test_property_normalization.py",),
        "GMM",
        "test_property_normalization.py::test_density_integrates",
    ),
    Broken(
        "soft_gumbel_forward",
        ("test_property_bounds.py",),
        "DiscreteLikeContinuous and support",
        "test_property_bounds.py::test_samples_lie_in_the_support",
    ),
    Broken(
        "naive_log1m_square",
        ("test_property_reference_agreement.py",),
        "TanhGaussian and arbiter",
        "test_property_reference_agreement.py::test_log_prob_and_gradients_at_the_boundary",
    ),
    Broken(
        "epsilon_tanh_jacobian",
        ("test_property_reference_agreement.py",),
        "TanhGaussian and arbiter",
        "test_property_reference_agreement.py::test_log_prob_and_gradients_at_the_boundary",
    ),
    Broken(
        "summed_log_prob",
        ("test_property_reference_agreement.py",),
        "TanhGaussian and log_prob_agrees",
        "test_property_reference_agreement.py::test_log_prob_agrees_with_the_reference",
    ),
    Broken(
        "negated_beta_gradient",
        ("test_property_rsample_gradients.py",),
        "beta and (implicit or unbiased)",
        "test_property_rsample_gradients.py::test_rsample_gradient_of_an_expectation_is_unbiased",
    ),
    Broken(
        "variance_as_std",
        ("test_property_goodness_of_fit.py",),
        "TanhGaussian",
        "test_property_goodness_of_fit.py::test_continuous_marginals",
    ),
    Broken(
        "unclipped_discrete",
        ("test_property_reference_agreement.py",),
        "Discrete and (log_prob_agrees or probs_and_logits)",
        "test_property_reference_agreement.py::test_log_prob_agrees_with_the_reference",
    ),
    Broken(
        "flipped_multibinary",
        ("test_property_goodness_of_fit.py",),
        "multibinary",
        "test_property_goodness_of_fit.py::test_multibinary_joint_frequencies",
    ),
    # The defect classes the suite found in the original amago module (README, "Testing
    # another implementation"), each injected alone.
    Broken(
        "empty_batch_reshape",
        ("test_contract_shapes.py",),
        "Discrete and empty_batch",
        "test_contract_shapes.py::test_an_empty_batch_gives_empty_results",
    ),
    Broken(
        "unchecked_input_dimension",
        ("test_contract_bad_input.py",),
        "TanhGaussian and wrong_last_dimension",
        "test_contract_bad_input.py::test_a_wrong_last_dimension_is_never_silently_accepted",
    ),
    Broken(
        "overflowing_softplus",
        ("test_contract_bad_input.py",),
        "GMM and extreme_finite_vec",
        "test_contract_bad_input.py::test_extreme_finite_vec_gives_no_nan",
    ),
    Broken(
        "half_precision_kept",
        ("test_contract_dtypes.py",),
        "Beta and half_precision_training_step",
        "test_contract_dtypes.py::test_a_half_precision_training_step_is_finite",
    ),
    Broken(
        "mean_forgets_own_samples",
        ("test_contract_own_samples.py",),
        "TanhGaussian and stay_exact",
        "test_contract_own_samples.py::test_own_samples_stay_exact_after_mean",
    ),
    Broken(
        "in_place_blind",
        ("test_contract_own_samples.py",),
        "TanhGaussian and modified_in_place",
        "test_contract_own_samples.py::test_own_sample_modified_in_place_gets_the_clipped_formula",
    ),
    Broken(
        "epsilon_gmm_jacobian",
        ("test_property_reference_agreement.py",),
        "GMM and log_prob_agrees",
        "test_property_reference_agreement.py::test_log_prob_agrees_with_the_reference",
    ),
    Broken(
        "zero_times_log_zero",
        ("test_property_clipping.py",),
        "exponent_zero",
        "test_property_clipping.py::test_beta_exponent_zero_at_the_ends_of_a_full_clip",
    ),
    Broken(
        "lgamma_log_beta",
        ("test_beta_special_functions.py",),
        "stirling",
        "test_beta_special_functions.py::test_log_prob_and_its_parameter_gradients_at_the_stir",
    ),
    Broken(
        "torch_beta_rsample",
        ("test_property_rsample_gradients.py",),
        "beta_rsample_gradient_is_the_implicit",
        "test_property_rsample_gradients.py::test_beta_rsample_gradient_is_the_implicit",
    ),
    Broken(
        "thresholded_softplus",
        ("test_contract_activations.py",),
        "exact_softplus_plus_low",
        "test_contract_activations.py::test_softplus_bounded_positive_is_exact_softplus_plus_low",
    ),
    Broken(
        "bernoulli_from_probs",
        ("test_property_reference_agreement.py",),
        "Multibinary and log_prob_agrees",
        "test_property_reference_agreement.py::test_log_prob_agrees_with_the_reference",
    ),
    Broken(
        "floored_discrete_log_prob",
        ("test_property_reference_agreement.py",),
        "Discrete and log_prob_agrees",
        "test_property_reference_agreement.py::test_log_prob_agrees_with_the_reference",
    ),
)

# Test ids may hold spaces (a tuple parameter); " - " starts the message.
FAILED = re.compile(rf"^FAILED {SUITE}/(.+?)(?: - |$)", re.MULTILINE)


def _run(broken: Broken) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.pop("POLICY_DISTS_IMPL", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE), env.get("PYTHONPATH")]))
    command = [
        sys.executable,
        "-m",
        "pytest",
        *(f"{SUITE}/{f}" for f in broken.files),
        "-k",
        broken.selection,
        "--impl",
        f"policy_dists_broken.{broken.module}",
        "-p",
        "no:cacheprovider",
        "--hypothesis-profile=meta",
        "-q",
        "-rf",
    ]
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_every_broken_implementation_is_in_the_kill_table() -> None:
    """suite/tests/policy_dists_broken is the one home of the deliberately broken
    implementations (the audit's tests use them too); each must be one the suite is shown to
    kill."""
    modules = {p.stem for p in (HERE / "policy_dists_broken").glob("*.py")} - {"__init__"}
    missing = modules - {b.module for b in BROKEN}
    assert not missing, f"broken implementations without a row in BROKEN: {sorted(missing)}"


@pytest.mark.parametrize("broken", BROKEN, ids=[b.module for b in BROKEN])
def test_the_property_suite_fails_on_a_broken_implementation(broken: Broken) -> None:
    result = _run(broken)
    output = result.stdout + result.stderr
    # Exit status 1: tests ran and some failed (2-5: interrupted, internal or usage error,
    # nothing collected).
    assert result.returncode == 1, (result.returncode, output[-3000:])
    failed = FAILED.findall(result.stdout)
    assert any(test_id.startswith(broken.expected) for test_id in failed), (
        broken.expected,
        failed,
        output[-3000:],
    )
