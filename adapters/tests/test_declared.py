"""An adapter accepts its library's parameterization, given by name or by function, and
names the class and the parameter of anything else."""

from __future__ import annotations

import math

import pytest

from policy_dists_adapters import cleanrl_sac, sb3


def test_the_declared_configuration_builds_by_name_or_function() -> None:
    config = cleanrl_sac.DECLARED_CONFIGS["TanhGaussian"]
    assert cleanrl_sac.TanhGaussian(2, **config).input_dimension == 4
    resolved = {**config, "std_activation": cleanrl_sac.tanh_bounded_positive}
    assert cleanrl_sac.TanhGaussian(2, **resolved).input_dimension == 4
    assert sb3.Discrete(5, clip_prob_low=0.0, clip_prob_high=1.0).input_dimension == 5


@pytest.mark.parametrize(
    ("output", "kwargs", "error", "words"),
    [
        (sb3.TanhGaussian, {"std_high": math.exp(3.0)}, ValueError, "sb3.TanhGaussian: std_high"),
        (sb3.Discrete, {"clip_prob_low": 0.01}, ValueError, "sb3.Discrete: clip_prob_low"),
        (
            cleanrl_sac.TanhGaussian,
            {"std_activation": "softplus_bounded_positive"},
            ValueError,
            "cleanrl_sac.TanhGaussian: std_activation",
        ),
        (sb3.Multibinary, {"temperature": 1.0}, TypeError, "sb3.Multibinary: no parameter"),
    ],
)
def test_another_configuration_is_refused_by_name(
    output: type, kwargs: dict, error: type[Exception], words: str
) -> None:
    with pytest.raises(error, match=words):
        output(3, **kwargs)
