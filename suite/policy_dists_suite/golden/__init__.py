"""Golden-value fixtures for regression detection (SPEC §1): exact values of every policy
output and both activations at fixed inputs, computed by the mpmath arbiter, stored in
golden/fixtures/<output>.json and checked against the implementation and the reference.

Check: `policy-dists-check MODULE golden` (in a checkout, `python -m pytest
suite/policy_dists_suite/golden [--impl MODULE]`). Regenerate: `python -m
policy_dists_suite.golden.generate` prints what would change (values moved, in ULPs; new and
removed cases) and writes nothing; with `--update` it writes the fixture files that changed.
"""
