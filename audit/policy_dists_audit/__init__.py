"""policy-dists-audit: numeric stability of policy outputs near the action-space boundary.

Sweeps every output toward |a| = 1 under boundary-stressing parameters, compares log_prob and
its gradients with the mpmath arbiter of ``policy_dists_reference``, reports errors against a
budget, and exits non-zero when any is over it.
"""
