"""``python -m policy_dists_audit``."""

from policy_dists_audit.cli import main

raise SystemExit(main())
