"""Other RL libraries' policy outputs behind the amago API, so the audit can measure them.

A module here presents one library's distributions with the API the audit drives, and
declares the one configuration per output that reproduces the library's parameterization
(DECLARED_CONFIGS: constructor kwargs in the catalogue's form, which the reference takes too),
so the audit measures the library's own error against the exact density of that same
parameterization. Outputs a library lacks are absent, and the audit reports them as not
applicable.
"""
