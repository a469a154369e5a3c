"""Categorical index sampling shared by the mixture and the discrete outputs."""

from __future__ import annotations

import torch


def at_least_float32(like: torch.Tensor) -> torch.dtype:
    """The dtype of noise and one-hot samples: float64 for float64 tensors, else float32 (the
    promotion with float32 of every floating dtype, decided in Python: torch.promote_types
    is a dispatched operator)."""
    return torch.float64 if like.dtype == torch.float64 else torch.float32


# The largest uniform draw below 1 in each of those dtypes, 1 - 2^-p (p the precision in bits).
_BELOW_ONE = {dtype: 1.0 - torch.finfo(dtype).eps / 2 for dtype in (torch.float32, torch.float64)}
_TINY = {dtype: torch.finfo(dtype).tiny for dtype in (torch.float32, torch.float64)}


def gumbel_perturbed(logits: torch.Tensor, sample_shape: torch.Size) -> torch.Tensor:
    """logits + g in at least float32, g ~ Gumbel(0, 1) iid of shape sample_shape +
    logits.shape: g = -log(-log U), formed as logits - log(-log U) (the same rounding).

    U is kept in [tiny, 1) so both logarithms stay finite; uniform draws are several times
    cheaper than torch's exponential_ on CPU.
    """
    dtype = at_least_float32(logits)
    uniform = torch.rand(sample_shape + logits.shape, dtype=dtype, device=logits.device)
    minus_g = torch.log(uniform.clamp_min_(_TINY[dtype])).neg_().log_()
    return logits.to(dtype) - minus_g


def categorical_index(probs: torch.Tensor, sample_shape: torch.Size) -> torch.Tensor:
    """Indices k ~ Categorical(probs) over the last axis, shape sample_shape + batch_shape.

    Inverse CDF: the first k with cumsum(p)_k > U sum(p), U uniform in [0, 1), one draw per
    sample. U is kept at most 1 - 2^-p (torch.rand already stays below 1 in float32 and
    float64; the bound makes it so whatever the generator), and then U t rounds strictly
    below any total t above the smallest normal number (the totals here are ~1): t 2^-p is at
    least half an ulp of t, and where it is exactly half (t a power of two) t - t 2^-p is
    itself representable, the spacing below a power of two being half the spacing above (not
    so at the smallest normal, below which subnormals keep the spacing). So k < d, and a
    category with p_k = 0 (an empty interval of the CDF) is never chosen.
    """
    dtype = at_least_float32(probs)
    cdf = probs.to(dtype).cumsum(-1)
    count = torch.Size(sample_shape).numel()
    uniform = torch.rand((*probs.shape[:-1], count), dtype=dtype, device=probs.device)
    target = uniform.clamp_max_(_BELOW_ONE[dtype]).mul_(cdf[..., -1:])
    # The index's clamp only matters for NaN probabilities (then every index is as good, and
    # callers make the sample NaN); it keeps searchsorted's past-the-end answer from indexing
    # out.
    index = torch.searchsorted(cdf, target, right=True).clamp_max(probs.shape[-1] - 1)
    if count != 1:  # the draws' axis goes first; a single draw's axis is only dropped
        index = index.movedim(-1, 0)
    return index.reshape(torch.Size(sample_shape) + probs.shape[:-1])


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
