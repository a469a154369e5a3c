"""torch.compile of every output's training step: graph breaks, agreement with eager, time.

    python -m benchmarks.compile_report [--batch 256] [--repeats 50]

For each output, dynamo's explain() of the training step (forward, rsample or sample,
log_prob, sum, as benchmarks.kernels.Kernels.train_loss) gives the graphs and the reason of
each break; the compiled step (inductor, aten's random kernels) and the eager step then run
from the same seed, and their losses and gradients are compared. The agreement bound: both
evaluate the same float32 formula, possibly fused or reordered, each within 32 roundings of
the magnitude S of its terms (|loss| plus the Jacobian terms, below 64 per action dimension
here), so |compiled - eager| <= 2 * 32 eps32 (|loss| + 64 n) for n summed values.

The report ends with torch.compile's fixed cost per call of a compiled graph (guards, the
AOTAutograd wrappers of forward and backward), measured on a one-operator loss: a step whose
eager time is near that cost, or that compiles to several graphs, cannot be faster compiled.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import torch

import policy_dists
from benchmarks.cases import OUTPUTS, network_output
from benchmarks.kernels import ImplKernels

EPS32 = torch.finfo(torch.float32).eps


def _loss_and_grad(
    step: Callable[[torch.Tensor], torch.Tensor], vec: torch.Tensor, seed: int
) -> tuple[float, torch.Tensor]:
    torch.manual_seed(seed)
    leaf = vec.detach().requires_grad_()
    loss = step(leaf)
    (grad,) = torch.autograd.grad(loss, leaf)
    return float(loss.detach()), grad


def _median_seconds(
    step: Callable[[torch.Tensor], torch.Tensor], vec: torch.Tensor, n: int
) -> float:
    times = []
    for _ in range(n):
        leaf = vec.detach().requires_grad_()
        start = time.perf_counter()
        step(leaf).backward()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def report(output: str, batch: int, repeats: int) -> dict[str, object]:
    """One output's row: graphs, breaks and their reasons, agreement, eager and compiled time."""
    torch.compiler.reset()
    eager = ImplKernels(output, policy_dists).train_loss
    vec = network_output(output, batch, torch.device("cpu"))
    explained = torch._dynamo.explain(eager)(vec.detach().requires_grad_())
    reasons = sorted({str(reason.reason).splitlines()[0] for reason in explained.break_reasons})
    torch.compiler.reset()
    compiled = torch.compile(eager, options={"fallback_random": True})
    for _ in range(3):  # compile, and settle dynamic-shape recompilation
        _loss_and_grad(compiled, vec, 0)
    loss_c, grad_c = _loss_and_grad(compiled, vec, 1)
    loss_e, grad_e = _loss_and_grad(eager, vec, 1)
    summed = vec.shape[0] * vec.shape[-1]
    bound = 2 * 32 * EPS32 * (abs(loss_e) + 64 * summed)
    grad_error = float((grad_c - grad_e).abs().max())
    grad_bound = float(2 * 32 * EPS32 * (grad_e.abs().max() + 64))
    return {
        "output": output,
        "graphs": explained.graph_count,
        "breaks": explained.graph_break_count,
        "reasons": reasons,
        "loss_ok": abs(loss_c - loss_e) <= bound,
        "grad_ok": grad_error <= grad_bound,
        "eager_us": 1e6 * _median_seconds(eager, vec, repeats),
        "compiled_us": 1e6 * _median_seconds(compiled, vec, repeats),
    }


def _one_operator_loss(x: torch.Tensor) -> torch.Tensor:
    return (2.0 * x).sum()


def fixed_cost(repeats: int) -> tuple[float, float]:
    """(eager, compiled) microseconds of a one-operator loss and its backward, 1 x 6."""
    torch.compiler.reset()
    compiled = torch.compile(_one_operator_loss, options={"fallback_random": True})
    vec = torch.randn(1, 6)
    for _ in range(3):
        _loss_and_grad(compiled, vec, 0)
    return (
        1e6 * _median_seconds(_one_operator_loss, vec, repeats),
        1e6 * _median_seconds(compiled, vec, repeats),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args()
    print(f"training step, B = {args.batch}, CPU float32, median of {args.repeats}")
    print(f"{'output':24} graphs breaks  loss  grad   eager  compiled  reasons")
    for output in OUTPUTS:
        row = report(output, args.batch, args.repeats)
        agree = ["ok" if row[key] else "DIFF" for key in ("loss_ok", "grad_ok")]
        reasons = "; ".join(row["reasons"]) or "-"
        print(
            f"{output:24} {row['graphs']:6} {row['breaks']:6}  {agree[0]:4}  {agree[1]:4} "
            f"{row['eager_us']:6.0f}us {row['compiled_us']:6.0f}us  {reasons}"
        )
    eager_us, compiled_us = fixed_cost(args.repeats)
    print(
        f"torch.compile's fixed cost per graph and call: {compiled_us - eager_us:.0f}us "
        f"(a one-operator loss and its backward: eager {eager_us:.0f}us, compiled "
        f"{compiled_us:.0f}us)"
    )


if __name__ == "__main__":
    main()
