"""The policy-dists contract and property suite, with the golden fixtures, as an installed
package: `policy-dists-check MODULE` runs it against any module implementing the
amago.nets.policy_dists API (or a peer library's adapter) and exits 0 pass / 1 failures /
2 usage error.

Layout: `plugin` (the pytest plugin every run loads: the --impl option, fixtures, hypothesis
profiles, the verdict), `verdict_groups` (the (output, property) group of a test), `cli` (the
command), `check_report` (its JSON report), `property_tests` (contract and property
families), `golden` (fixtures and their check), `soak` (the property families with fresh
random seeds).
"""
