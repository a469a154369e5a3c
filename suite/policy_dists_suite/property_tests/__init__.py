"""Property and contract tests of the policy outputs of the amago.nets.policy_dists API.

Shared code lives in this package: `registry` (the one table of outputs every test iterates
over), `extensions` (which tests need a policy-dists extension), `numerics` (independent
float64 formulas and error models) and `strategies` (hypothesis strategies and settings).
"""
