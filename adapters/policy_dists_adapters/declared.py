"""The API's PolicyOutput shell for a library output with one parameterization."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import torch


class DeclaredOutput(torch.nn.Module):
    """A PolicyOutput whose library has one parameterization: `declared` (constructor kwargs in
    the catalogue's form, activations by name; the module's DECLARED_CONFIGS entry), with
    `activations` the module's function of each name. A keyword that differs from it is a
    ValueError naming the class and the parameter; vec has `values_per_action` d entries."""

    declared: ClassVar[Mapping[str, Any]] = {}
    activations: ClassVar[Mapping[str, Callable[..., torch.Tensor]]] = {}
    values_per_action: ClassVar[int] = 1

    def __init__(self, d_action: int, **kwargs: Any) -> None:
        super().__init__()
        owner = f"{type(self).__module__.rsplit('.', 1)[-1]}.{type(self).__name__}"
        for name, value in kwargs.items():
            if name not in self.declared:
                raise TypeError(f"{owner}: no parameter {name!r} (the library has none)")
            wanted = self.declared[name]
            if isinstance(wanted, str):
                if value is not self.activations[wanted] and value != wanted:
                    raise ValueError(f"{owner}: {name} must be the library's {wanted}")
            elif (tuple(value) if isinstance(value, list) else value) != wanted:
                raise ValueError(
                    f"{owner}: {name} must be {wanted!r}, the library's; got {value!r}"
                )
        self.d_action = d_action

    @property
    def input_dimension(self) -> int:
        return self.values_per_action * self.d_action
