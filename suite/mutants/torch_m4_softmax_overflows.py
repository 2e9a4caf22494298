"""Mutant: Softmax computes exp(x) / sum(exp(x)) as written, without subtracting the max. Caught by M4 (subtle).

The textbook formula, typed in as it stands: right on the documents' logits
(a few units), but float32's exp overflows past 88, so logits in the hundreds
give inf / inf = nan where torch gives the exact softmax.
"""

import torch

BREAKS = "M4"
SUBTLE = True


def _naive_softmax(self: torch.nn.Softmax, x: torch.Tensor) -> torch.Tensor:
    """exp(x) / exp(x).sum(dim), with no shift by the max."""
    e = torch.exp(x)
    return e / e.sum(dim=self.dim, keepdim=True)


torch.nn.Softmax.forward = _naive_softmax
