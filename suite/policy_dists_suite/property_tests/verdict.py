"""How the suite reports a failure, and the rule that decides what may fail.

The rule (SPEC §8, README "Testing another implementation"): a base test fails only on
behaviour a user of any implementation would call a bug: a silently wrong value, shape or
dtype of the original API's contract, a crash or NaN on valid finite input, a wrong gradient,
an error beyond the stated error model. A choice of policy-dists that the original API does
not promise (float32 results for half input, NaN propagating rather than raising, stricter
argument checks, new methods) is an extension (property_tests/extensions.py): its tests skip,
with the reason, on a module that lacks it.

A failed comparison's first line names the output, the quantity, the worst input, what the
module gave, the expected value and the tolerance; the whole arrays follow on later lines.
The suite plugin's terminal summary groups failures by output and property, one line each.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np


def _short(value: object) -> str:
    return np.array2string(np.asarray(value), precision=17, threshold=8, max_line_width=10_000)


def _scalar(value: object) -> str:
    """A number as Python prints it (numpy 2's repr adds np.float64(...))."""
    return repr(np.asarray(value).item())


def _inputs_at(inputs: Mapping[str, object] | None, index: tuple[int, ...]) -> list[str]:
    """Each input's row that produced element `index` of a result (the whole input when its
    shape does not lead the result's). An input's batch axes are the result's leading ones,
    or, when the result leads with sample axes (draws of a distribution), the result's batch
    axes before its last one."""
    where = []
    for name, value in (inputs or {}).items():
        array = np.asarray(value)
        batch = array.ndim - 1
        if batch <= 0 or array.ndim > len(index) + 1:
            row: tuple[int, ...] = ()
        elif batch < len(index) - 1:
            row = index[len(index) - 1 - batch : len(index) - 1]
        else:
            row = index[:batch]
        where.append(f"{name}={_short(array[row] if row else array)}")
    return where


def comparison_failure(
    output: str,
    quantity: str,
    got: np.ndarray,
    want: np.ndarray,
    tolerance: np.ndarray,
    inputs: Mapping[str, object] | None = None,
) -> str:
    """The message of a failed |got - want| <= tolerance, led by its worst element."""
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    tolerance = np.broadcast_to(np.asarray(tolerance, dtype=np.float64), got.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        error = np.abs(got - want)
        ratio = np.where(got == want, 0.0, error / tolerance)
    ratio = np.where(np.isnan(ratio), np.inf, ratio)
    index = np.unravel_index(int(np.argmax(ratio)), got.shape) if got.size else ()
    where = _inputs_at(inputs, index)
    first = (
        f"{output} {quantity}: got {_scalar(got[index])} expected {_scalar(want[index])} tolerance "
        f"{float(tolerance[index]):.3g} (error {float(error[index]):.3g}) at index "
        f"{tuple(int(i) for i in index)}" + (f", {', '.join(where)}" if where else "")
    )
    return "\n".join(
        [
            first,
            f"  got:       {_short(got)}",
            f"  expected:  {_short(want)}",
            f"  tolerance: {_short(tolerance)}",
        ]
    )


def assert_within(
    output: str,
    quantity: str,
    got: np.ndarray,
    want: np.ndarray,
    tolerance: np.ndarray,
    inputs: Mapping[str, object] | None = None,
) -> None:
    """Every |got - want| <= tolerance; equal values (infinities included) agree, NaN never."""
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, (
        f"{output} {quantity}: got shape {got.shape} expected {want.shape}"
    )
    with np.errstate(invalid="ignore"):
        ok = (got == want) | (np.abs(got - want) <= tolerance)
    assert bool(ok.all()), comparison_failure(output, quantity, got, want, tolerance, inputs)


def assert_every(
    output: str,
    quantity: str,
    ok: np.ndarray,
    got: np.ndarray,
    expected: str,
    inputs: Mapping[str, object] | None = None,
) -> None:
    """Every element of `ok` holds; otherwise the message names the first element of `got`
    that breaks it and what was `expected` of it ("in [-1, 1]", "finite")."""
    ok, got = np.asarray(ok, dtype=bool), np.asarray(got)
    if bool(ok.all()):
        return
    index = tuple(int(i) for i in np.argwhere(~np.broadcast_to(ok, got.shape))[0])
    where = _inputs_at(inputs, index)
    first = (
        f"{output} {quantity}: got {_scalar(got[index])} expected {expected} at index {index}"
        f" ({int((~ok).sum())} of {ok.size} elements)" + (f", {', '.join(where)}" if where else "")
    )
    raise AssertionError(f"{first}\n  got: {_short(got)}")
