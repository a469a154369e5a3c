"""Mutation testing of `impl/policy_dists` with mutmut: the work folder it runs in, the report of
its results, and the list of mutants judged equivalent to the original (`make mutate`)."""
