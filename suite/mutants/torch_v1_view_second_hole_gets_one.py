"""Mutant: view() fills a second -1 with 1 instead of raising. Caught by V1.

A port that resolves -1 in one pass, handing each -1 what is left of the
element count and leaving 1 for any after it, never checking that there is
only one: the document's view(-1), view(1, -1) and view(2, -1) are right, but
view(-1, -1) of a (2, 2, 2) tensor returns an (8, 1) view where PyTorch raises
"only one dimension can be inferred".
"""

from typing import Any

import torch

BREAKS = "V1"
SUBTLE = True

_view = torch.Tensor.view


def _view_filling_every_hole(self: torch.Tensor, *shape: Any) -> torch.Tensor:
    """torch's view, with each -1 given the elements left over (the first) or 1 (any later one)."""
    sizes = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list, torch.Size)) else shape
    if sum(1 for s in sizes if isinstance(s, int) and s == -1) < 2:
        return _view(self, *shape)
    known = 1
    for s in sizes:
        if s != -1:
            known *= s
    left = self.numel() // known if known else 0
    resolved = []
    for s in sizes:
        if s == -1:
            resolved.append(left)
            left = 1
        else:
            resolved.append(s)
    return _view(self, resolved)


torch.Tensor.view = _view_filling_every_hole
