"""Categorical index sampling shared by the mixture and the discrete outputs."""

from __future__ import annotations

import torch


def exponential_noise(shape: torch.Size, like: torch.Tensor) -> torch.Tensor:
    """Exp(1) draws in at least float32, bounded away from 0 so that -log(E) stays finite."""
    dtype = torch.promote_types(like.dtype, torch.float32)
    noise = torch.empty(shape, dtype=dtype, device=like.device).exponential_()
    return noise.clamp_min(torch.finfo(dtype).tiny)


def categorical_index(probs: torch.Tensor, sample_shape: torch.Size) -> torch.Tensor:
    """Indices k ~ Categorical(probs) over the last axis, shape sample_shape + batch_shape.

    Exponential race: argmax_k p_k / E_k with E_k ~ Exp(1) i.i.d. picks k with probability
    p_k (the Gumbel-max trick without logarithms); categories with p_k = 0 never win.
    """
    shape = torch.Size(sample_shape) + probs.shape
    noise = exponential_noise(shape, probs)
    return (probs.to(noise.dtype) / noise).argmax(-1)


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
