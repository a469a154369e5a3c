"""The two modules a user of policy-dists-check writes in the tests that run it from a folder
of their own: a re-export of the built-in (a correct implementation) and one whose
TanhGaussian log-density is 0.01 nats low everywhere (a wrong log_prob)."""

from __future__ import annotations

import textwrap
from pathlib import Path

REEXPORT = "from policy_dists import *  # noqa: F403\n"

OFFSET_LOG_PROB = textwrap.dedent(
    """
    import torch
    from torch.distributions import Distribution

    import policy_dists
    from policy_dists import *  # noqa: F403


    class TanhGaussian(policy_dists.TanhGaussian):
        def forward(self, vec: torch.Tensor, log_dict: dict | None = None) -> Distribution:
            dist = super().forward(vec, log_dict)
            correct = dist.log_prob
            dist.log_prob = lambda value: correct(value) - 0.01
            return dist
    """
)


def write_user_modules(folder: Path) -> None:
    """reexport_dists.py and offset_dists.py in `folder`."""
    (folder / "reexport_dists.py").write_text(REEXPORT)
    (folder / "offset_dists.py").write_text(OFFSET_LOG_PROB)
