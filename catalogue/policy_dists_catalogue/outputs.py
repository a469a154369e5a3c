"""The outputs, their network-output layout, and the raw values that stress them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

# The seed page's concrete outputs (SPEC §4).
OUTPUTS: tuple[str, ...] = (
    "TanhGaussian",
    "GMM",
    "Beta",
    "Discrete",
    "DiscreteLikeContinuous",
    "Multibinary",
)

DEFAULT_GMM_MODES = 5  # the seed page's GMM(gmm_modes=5)

# Raw activations that put a parameter at its bound to the last float64 bit: the activations
# reach their high bound beyond |x| = 30 (tanh(30) = 1), and softplus(-40) = 4e-18 is below
# half an ulp of any low bound the tools use.
SATURATE_HIGH = 30.0
SATURATE_LOW = -40.0
# An exploding network output: large, and a float32 number.
EXTREME = 1e4


def input_dimension(output: str, kwargs: Mapping[str, Any]) -> int:
    """The last dimension of vec that ``output`` built with constructor ``kwargs`` consumes:
    2 d (TanhGaussian, Beta: a location or alpha block, then a spread block), (2 d + 1) M
    (GMM, see gmm_vec), d (Discrete, DiscreteLikeContinuous, Multibinary: one logit each)."""
    d = int(kwargs["d_action"])
    if output in ("TanhGaussian", "Beta"):
        return 2 * d
    if output == "GMM":
        modes = int(kwargs.get("gmm_modes", DEFAULT_GMM_MODES))
        return (2 * d + 1) * modes
    if output in ("Discrete", "DiscreteLikeContinuous", "Multibinary"):
        return d
    raise KeyError(f"no policy output named {output!r}; the outputs are {', '.join(OUTPUTS)}")


def gmm_vec(
    means: Sequence[float], raw_stds: Sequence[float], logits: Sequence[float]
) -> tuple[float, ...]:
    """One GMM vec row in the API's layout [means (M d), raw stds (M d), mode logits (M)],
    the means and raw stds mode-major (mode m's d entries together)."""
    if len(means) != len(raw_stds) or len(means) % len(logits):
        raise ValueError(
            f"gmm_vec: {len(means)} means, {len(raw_stds)} raw stds and {len(logits)} logits "
            "do not make M modes of d dimensions"
        )
    return (*means, *raw_stds, *logits)


def gmm_blocks(vec: ArrayLike, modes: int, d: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The inverse of gmm_vec on rows (..., (2 d + 1) M): (means (..., M, d), raw stds
    (..., M, d), mode logits (..., M))."""
    vec = np.asarray(vec)
    if vec.shape[-1] != (2 * d + 1) * modes:
        raise ValueError(f"gmm_blocks: a row of {vec.shape[-1]} is not {modes} modes of {d}")
    per_mode = (*vec.shape[:-1], modes, d)
    means = vec[..., : modes * d].reshape(per_mode)
    raw_stds = vec[..., modes * d : 2 * modes * d].reshape(per_mode)
    return means, raw_stds, vec[..., 2 * modes * d :]
