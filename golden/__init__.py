"""Golden-value fixtures for regression detection (SPEC §1): exact values of every policy
output and both activations at fixed inputs, computed by the mpmath arbiter, stored in
golden/fixtures/<output>.json and checked against the implementation and the reference.

Check: `python -m pytest golden [--impl MODULE]`. Regenerate: `python -m golden.generate`
prints what would change (values moved, in ULPs; new and removed cases) and writes nothing;
`python -m golden.generate --update` writes the fixture files that changed.
"""
