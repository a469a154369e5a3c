"""Deliberately broken implementations of the policy-dists API, each the real `policy_dists`
with ONE realistic bug injected. `test_property_meta.py` runs the property suite against each
(`--impl policy_dists_broken.<name>`) and checks that it fails in the family that owns the
broken property. None of them is imported by anything else.
"""
