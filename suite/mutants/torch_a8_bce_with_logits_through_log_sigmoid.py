"""Mutant: ``binary_cross_entropy_with_logits`` computed as ``log(sigmoid(z))``. Caught by A8.

The textbook formula ``-[y·log σ(z) + (1-y)·log(1-σ(z))]`` written as it reads:
right for the document's logits (a few units at most), but once |z| is above
about 17 in float32 (37 in float64) σ(z) rounds to exactly 0 or 1, the loss
becomes inf and its gradient nan. PyTorch documents the log-sum-exp form.
"""

from typing import Any

import torch
import torch.nn.functional as F

BREAKS = "A8"
SUBTLE = True


def _naive_bce_with_logits(input: torch.Tensor, target: torch.Tensor, weight: Any = None, size_average: Any = None,  # noqa: A002
                           reduce: Any = None, reduction: str = "mean", pos_weight: Any = None) -> torch.Tensor:
    """The mean of -[y·log σ(z) + (1-y)·log(1-σ(z))], with σ(z) computed first."""
    p = torch.sigmoid(input)
    losses = -(target * torch.log(p) + (1 - target) * torch.log(1 - p))
    return losses.mean() if reduction == "mean" else losses.sum() if reduction == "sum" else losses


F.binary_cross_entropy_with_logits = _naive_bce_with_logits
