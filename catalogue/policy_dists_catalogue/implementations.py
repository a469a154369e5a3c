"""Which module a command judges: the name it is given (a bare peer-adapter name is that
adapter), where it is imported from (the environment, then the working directory), and what
of the amago.nets.policy_dists API it lacks."""

from __future__ import annotations

import importlib.util
import os
import sys
import types

from policy_dists_catalogue.adapters import ADAPTERS

ADAPTER_PACKAGE = "policy_dists_adapters"


def resolve(name: str) -> str:
    """The module `name` designates: a bare name of a policy_dists_adapters module is that
    adapter (sb3, torchrl: the library's own package has the same name and not the API)."""
    if "." in name or importlib.util.find_spec(ADAPTER_PACKAGE) is None:
        return name
    adapter = f"{ADAPTER_PACKAGE}.{name}"
    return adapter if importlib.util.find_spec(adapter) is not None else name


def search_working_directory() -> None:
    """Import implementations from the working directory too, as `python -m` does (a console
    script's path starts at its own folder), in this process and in the subprocesses it starts
    (pytest-xdist workers, the suite's subprocess tests)."""
    here = os.getcwd()
    if here not in sys.path:
        sys.path.insert(0, here)
    paths = os.environ.get("PYTHONPATH", "").split(os.pathsep)
    if here not in paths:
        os.environ["PYTHONPATH"] = os.pathsep.join([here, *filter(None, paths)])


def missing_api(module: types.ModuleType) -> list[str]:
    """The names of the amago.nets.policy_dists API (the six outputs' classes, the wrapper
    DiscreteLikeContinuous included) that `module` does not define, in the catalogue's order."""
    names = dict.fromkeys(n for a in ADAPTERS.values() for n in (a.name, a.output_class))
    return [name for name in names if not hasattr(module, name)]
