"""The suite on a peer library's adapter (policy_dists_suite.peers): draws at
its declared
configuration, skips what does not apply with the reason, and still fails the library's real
errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from policy_dists_adapters import torchrl
from policy_dists_suite import peers

ROOT = Path(__file__).resolve().parents[2]


def test_declared_kwargs_keep_only_the_drawn_shape() -> None:
    drawn = {"d_action": 3, "std_low": 0.5, "std_activation": "tanh_bounded_positive"}
    assert peers.declared_kwargs("TanhGaussian", drawn) == drawn
    peers.declare(torchrl.DECLARED_CONFIGS)
    try:
        declared = peers.declared_kwargs("TanhGaussian", drawn)
        undeclared = peers.declared_kwargs("Beta", {"d_action": 2})
    finally:
        peers.declare({})
    assert declared == {"d_action": 3, **torchrl.DECLARED_CONFIGS["TanhGaussian"]}
    assert undeclared == {"d_action": 2}


def test_the_suite_on_torchrl_skips_the_contract_and_fails_its_boundary() -> None:
    """The contract's input_dimension tests and the golden fixtures skip (another API), the GMM
    and Beta boundary rows skip (TorchRL has neither), and TanhGaussian's fail, every one of
    them: TorchRL's safe tanh scores a = ±1 finite where the density is 0
    (adapters/tests/test_torchrl.py has the figures)."""
    selection = "input_dimension or boundary_agree_with_the_arbiter or matches_golden"
    files = [
        "suite/policy_dists_suite/property_tests/test_contract_shapes.py",
        "suite/policy_dists_suite/property_tests/test_property_reference_agreement.py",
        "suite/policy_dists_suite/golden/test_golden.py",
    ]
    command = [sys.executable, "-m", "pytest", *files, "-k", selection, "-q", "-rfs"]
    command += ["-p", "no:cacheprovider", "--impl", "policy_dists_adapters.torchrl"]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    out = run.stdout
    assert run.returncode == 1, out
    assert "adapts another library: the contract tests check the amago API" in out, out
    assert "adapts another library, which has no Beta" in out, out
    assert "the golden fixtures hold exact values at the amago API's own configurations" in out
    failed = [line for line in out.splitlines() if line.startswith("FAILED")]
    assert failed, out
    assert all("boundary_agree_with_the_arbiter" in f and "TanhGaussian" in f for f in failed), out
