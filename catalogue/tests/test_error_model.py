"""The shared error model's units, its dtype reading, and the audit's isolation from torch."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch

from policy_dists_catalogue import error_model


@pytest.mark.parametrize(
    ("dtype", "expected"),
    [
        (np.float32, np.float32),
        (np.dtype("float64"), np.float64),
        ("float32", np.float32),
        (torch.float32, np.float32),
        (torch.float64, np.float64),
    ],
)
def test_float_dtype_reads_numpy_names_and_torch_dtypes(dtype: object, expected: type) -> None:
    assert error_model.float_dtype(dtype) is expected


@pytest.mark.parametrize("dtype", [np.int64, torch.int32, "bool"])
def test_float_dtype_rejects_dtypes_that_are_not_floating(dtype: object) -> None:
    with pytest.raises(TypeError, match="not a floating dtype"):
        error_model.float_dtype(dtype)


def test_ulp_is_the_spacing_and_tiny_below_the_normal_range() -> None:
    values = np.array([1.0, 2.0**-126, 1e-45, 0.0])
    got = error_model.ulp(values, torch.float32)
    tiny = float(np.finfo(np.float32).tiny)
    assert got.tolist() == [float(np.finfo(np.float32).eps), 2.0**-149, tiny, tiny]


def test_error_model_imports_no_torch() -> None:
    """The shipped audit reads its default budget here; the module must not need torch."""
    code = (
        "import sys; import policy_dists_catalogue.error_model; "
        "sys.exit(int('torch' in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
