"""A user's side of the tests that run policy-dists-check from a folder of their own: the two
modules they write, a re-export of the built-in (a correct implementation) and one whose
TanhGaussian log-density is 0.01 nats low everywhere (a wrong log_prob), and the command run
there."""

from __future__ import annotations

import os
import subprocess
import sys
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


def run_check(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """policy-dists-check ARGS in `folder`, with no pytest or --impl setting of this run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "POLICY_DISTS"))}
    command = [sys.executable, "-m", "policy_dists_suite.cli", *args]
    return subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True)
