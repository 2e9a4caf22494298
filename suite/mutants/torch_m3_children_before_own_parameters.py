"""Mutant: named_parameters() yields every child's parameters before the module's own. Caught by M3 (subtle).

A recursive port that visits the children first: document 004's network,
whose parameters all lie in its child stack, is named in the right order,
but a module holding a Parameter of its own and a child lists the child's first.
"""

from typing import Any, Iterator

import torch

BREAKS = "M3"
SUBTLE = True


def _children_first(self: torch.nn.Module, prefix: str = "", recurse: bool = True,
                    remove_duplicate: bool = True) -> Iterator[tuple[str, Any]]:
    """The children's (name, parameter) pairs, recursively, then the module's own."""
    if recurse:
        for name, child in self.named_children():
            yield from _children_first(child, f"{prefix}{name}.", True, remove_duplicate)
    for name, parameter in self._parameters.items():
        if parameter is not None:
            yield f"{prefix}{name}", parameter


torch.nn.Module.named_parameters = _children_first  # type: ignore[assignment]
