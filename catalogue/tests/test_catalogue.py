"""The catalogue's own facts: the vec layout, the boundary actions and the adapters."""

from __future__ import annotations

import numpy as np
import pytest

import policy_dists_reference as reference
from policy_dists_catalogue import (
    OUTPUTS,
    boundary_actions,
    gmm_blocks,
    gmm_vec,
    input_dimension,
    signed_boundary_actions,
)
from policy_dists_catalogue.adapters import ADAPTERS


def test_gmm_vec_is_means_then_raw_stds_then_logits() -> None:
    row = gmm_vec([1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0], [9.0, 10.0])
    assert row == tuple(float(v) for v in range(1, 11))
    assert len(row) == input_dimension("GMM", {"d_action": 2, "gmm_modes": 2})


def test_gmm_vec_rejects_blocks_that_are_not_modes_of_one_dimension() -> None:
    with pytest.raises(ValueError, match="3 means, 3 raw stds and 2 logits"):
        gmm_vec([0.0] * 3, [0.0] * 3, [0.0] * 2)


def test_every_output_has_an_input_dimension_and_others_are_named() -> None:
    assert all(input_dimension(output, {"d_action": 3}) > 0 for output in OUTPUTS)
    with pytest.raises(KeyError, match="no policy output named 'Gamma'"):
        input_dimension("Gamma", {"d_action": 3})


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_boundary_actions_approach_one_then_reach_and_pass_it(dtype: type) -> None:
    points = dict(boundary_actions(dtype))
    toward = [a for label, a in points.items() if label.startswith("1-1e-")]
    assert toward == sorted(toward) and all(dtype(a) == a < 1.0 for a in toward)
    # float32 resolves 1 - 10^-k up to k = 7; float64 up to k = 16.
    assert len(toward) == (7 if dtype is np.float32 else 16)
    assert points["nextafter(1,0)"] == float(np.nextafter(dtype(1), dtype(0)))
    assert points["nextafter(1,2)"] == float(np.nextafter(dtype(1), dtype(2)))
    assert points["1"] == 1.0 and points["1.5"] == 1.5
    inside = signed_boundary_actions(dtype, outside=False)
    assert inside == sorted(set(inside)) and max(inside) == 1.0 and min(inside) == -1.0


def test_every_output_has_one_adapter_whose_output_class_the_reference_has() -> None:
    assert tuple(ADAPTERS) == OUTPUTS
    for name, adapter in ADAPTERS.items():
        assert adapter.name == name
        assert adapter.kind in ("continuous", "discrete", "one_hot", "binary")
        assert adapter.wrapped == (name == "DiscreteLikeContinuous")
        assert isinstance(
            adapter.reference({"d_action": 2}), getattr(reference, adapter.output_class)
        )


def test_gmm_blocks_undo_gmm_vec() -> None:
    row = gmm_vec([1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0], [9.0, 10.0])
    means, raw_stds, logits = gmm_blocks(np.array([row, row]), modes=2, d=2)
    assert means.tolist() == [[[1.0, 2.0], [3.0, 4.0]]] * 2
    assert raw_stds.tolist() == [[[5.0, 6.0], [7.0, 8.0]]] * 2
    assert logits.tolist() == [[9.0, 10.0]] * 2
    with pytest.raises(ValueError, match="not 3 modes of 2"):
        gmm_blocks(np.array(row), modes=3, d=2)
