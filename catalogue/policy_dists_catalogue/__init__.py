"""What every tool knows about the six policy outputs, in one place.

The suite's registry and strategies, the golden cases, the audit's scenarios and the
benchmark cases read from here the outputs' names, their vec layout, the constructor
configurations and raw values that stress them, the actions and settings at the boundary
(`boundary_settings`); one adapter per output (`adapters`: how the implementation's, the
reference's and the arbiter's objects are built); and the error model (`error_model`: every
budget with its derivation, the condition sums), which the suite, the golden fixtures and the
audit's default budget share. No torch, so the shipped audit imports it as the suite does;
`adapters` and `error_model` also need scipy, mpmath and the reference, and are not imported
here.
"""

from policy_dists_catalogue.actions import boundary_actions, signed_boundary_actions
from policy_dists_catalogue.configurations import (
    CLIP_CONFIGS,
    STRESS_CONFIGS,
    TEMPERATURES,
    module_kwargs,
)
from policy_dists_catalogue.outputs import (
    DEFAULT_GMM_MODES,
    EXTREME,
    OUTPUTS,
    SATURATE_HIGH,
    SATURATE_LOW,
    gmm_blocks,
    gmm_vec,
    input_dimension,
)

__all__ = [
    "CLIP_CONFIGS",
    "DEFAULT_GMM_MODES",
    "EXTREME",
    "OUTPUTS",
    "SATURATE_HIGH",
    "SATURATE_LOW",
    "STRESS_CONFIGS",
    "TEMPERATURES",
    "boundary_actions",
    "gmm_blocks",
    "gmm_vec",
    "input_dimension",
    "module_kwargs",
    "signed_boundary_actions",
]
