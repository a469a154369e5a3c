"""Categorical index sampling shared by the mixture and the discrete outputs."""

from __future__ import annotations

import torch


def _noise_dtype(like: torch.Tensor) -> torch.dtype:
    return torch.promote_types(like.dtype, torch.float32)


def gumbel_noise(shape: torch.Size, like: torch.Tensor) -> torch.Tensor:
    """Gumbel(0, 1) draws -log(-log U) in at least float32.

    U is kept in [tiny, 1) so both logarithms stay finite; uniform draws are several times
    cheaper than torch's exponential_ on CPU.
    """
    dtype = _noise_dtype(like)
    uniform = torch.rand(shape, dtype=dtype, device=like.device)
    return -torch.log(-torch.log(uniform.clamp_min(torch.finfo(dtype).tiny)))


def categorical_index(probs: torch.Tensor, sample_shape: torch.Size) -> torch.Tensor:
    """Indices k ~ Categorical(probs) over the last axis, shape sample_shape + batch_shape.

    Inverse CDF: the first k with cumsum(p)_k > U sum(p), U uniform in [0, 1), one draw per
    sample. U sum(p) is kept strictly below the total, so k < d, and a category with p_k = 0
    (an empty interval of the CDF) is never chosen.
    """
    dtype = _noise_dtype(probs)
    cdf = probs.to(dtype).cumsum(-1)
    total = cdf[..., -1:]
    count = torch.Size(sample_shape).numel()
    uniform = torch.rand((*probs.shape[:-1], count), dtype=dtype, device=probs.device)
    below_total = torch.nextafter(total, torch.zeros_like(total))
    target = torch.minimum(uniform * total, below_total)
    # The clamp only matters for NaN probabilities (then every index is as good, and callers
    # make the sample NaN); it keeps searchsorted's past-the-end answer from indexing out.
    index = torch.searchsorted(cdf, target, right=True).clamp_max(probs.shape[-1] - 1)
    return index.movedim(-1, 0).reshape(torch.Size(sample_shape) + probs.shape[:-1])


def zero_or_nan(param: torch.Tensor, event_dims: int = 0) -> torch.Tensor:
    """0 where ``param`` (reduced over its last ``event_dims`` axes) is NaN-free, else NaN.

    Added to a sample so that a NaN parameter yields a NaN sample rather than a plausible
    value from the sampler; ``param * 0`` cannot overflow as a sum of parameters could.
    """
    zeros = param * 0
    return zeros.sum(tuple(range(-event_dims, 0))) if event_dims else zeros


def finite_presquash(u: torch.Tensor) -> torch.Tensor:
    """u clamped to the finite range, so that a pre-squash draw beyond float max (possible
    only for a location or scale near it) stays a number its density can be scored at;
    tanh(u) is ±1 either way. NaN passes through."""
    largest = torch.finfo(u.dtype).max
    return u.clamp(-largest, largest)
