"""`make mutate`: mutmut over `impl/policy_dists` against the suite's fast profile, then the report.

mutmut names a mutant after its source path with only a leading `src.` removed, and a trampoline
activates it only where that name equals the imported module's `__module__`. So it runs in a work
folder, `.mutation/`, whose `src` links to `impl`; the other links hand it the configuration and
the tests without copying the checkout. Its results stay in `.mutation/mutants/` between runs, and
mutmut retests only the mutants whose function changed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from mutation_testing.report import DETECTED, outcomes, report

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".mutation"
# link name in the work folder -> what it points to in the checkout
LINKS = {
    "src": "impl",
    "pyproject.toml": "pyproject.toml",
    "conftest.py": "conftest.py",
    "suite": "suite",
    "audit": "audit",
}


def build_work_folder(work: Path = WORK, root: Path = ROOT) -> None:
    """Create `work` and its links into `root`; refuse to replace anything that is not our link."""
    work.mkdir(exist_ok=True)
    for name, target in LINKS.items():
        link, wanted = work / name, root / target
        if link.is_symlink() and link.resolve() == wanted.resolve():
            continue
        if link.exists() or link.is_symlink():
            raise SystemExit(f"mutate: {link} exists and is not a link to {wanted}; move it away")
        link.symlink_to(os.path.relpath(wanted, work))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mutation_testing.run", description=__doc__)
    parser.add_argument(
        "mutants",
        nargs="*",
        help="mutant names or globs to (re)test, e.g. 'policy_dists.beta.*'; default: all untested",
    )
    parser.add_argument(
        "--rerun-survivors",
        action="store_true",
        help="retest every mutant the last run did not detect (after new or sharper tests)",
    )
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args(argv)

    build_work_folder()
    if args.rerun_survivors:
        undetected = sorted(name for name, o in outcomes(WORK).items() if o not in DETECTED)
        if not undetected:
            return report(WORK)
        args.mutants = [*args.mutants, *undetected]
    mutmut = Path(sys.executable).with_name("mutmut")
    # The suite's fast profile, minus shrinking (conftest.py's `mutation` profile); one torch
    # thread per mutant worker, since the workers already fill the cores.
    env = {**os.environ, "CI": "true", "HYPOTHESIS_PROFILE": "mutation", "OMP_NUM_THREADS": "1"}
    # The suite is a package (policy_dists_suite) that the root conftest's plugin imports
    # before collection: it must come from mutmut's copy, the tests it collects, not from
    # the checkout this environment installs (pytest refuses a module from another file).
    env["PYTHONPATH"] = str(WORK / "mutants" / "suite")
    started = time.monotonic()
    status = subprocess.run(
        [str(mutmut), "run", "--max-children", str(args.max_children), *args.mutants],
        cwd=WORK,
        env=env,
        check=False,
    ).returncode
    elapsed = time.monotonic() - started
    print(f"\nmutmut run: exit {status}, {elapsed / 60:.1f} min wall time")
    if status != 0:
        return status
    return report(WORK)


if __name__ == "__main__":
    sys.exit(main())
