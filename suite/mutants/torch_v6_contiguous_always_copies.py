"""Mutant: contiguous() always copies, even a tensor that is already contiguous. Caught by V6.

A port that writes contiguous() as ``clone(memory_format=torch.contiguous_format)``:
the values and the layout are right, and the document's transpose(1, 2) is not
contiguous, so its copy is what PyTorch makes too. But PyTorch returns self
when the tensor is already contiguous (transpose(d, d), or a swap of size-1
dims), so writes through the result must reach the base; here they are lost.
"""

import torch

BREAKS = "V6"
SUBTLE = True


def _contiguous_by_clone(self: torch.Tensor, memory_format: torch.memory_format = torch.contiguous_format) -> torch.Tensor:
    """A row-major copy of self, whether or not self is row-major already."""
    return self.clone(memory_format=memory_format)


torch.Tensor.contiguous = _contiguous_by_clone
