"""Mutant: inverse() by Gauss-Jordan elimination without row pivoting. Caught by L1.

The textbook elimination taken as written: each column's pivot is the
diagonal entry as it stands, with no search for a larger one and no row swap.
Right on the document's A = [[1, 1], [4, 1]] and on diagonally dominant
matrices (whose pivots never vanish); wrong as soon as a zero pivot appears,
as in the permutation [[0, 1], [1, 0]], which comes out all nan where
PyTorch's LU with partial pivoting gives [[0, 1], [1, 0]]. A singular matrix
gives nan too instead of raising.
"""

import torch

BREAKS = "L1"
SUBTLE = True


def _gauss_jordan_inverse(self: torch.Tensor) -> torch.Tensor:
    """The inverse of a square matrix by Gauss-Jordan elimination on [A | I], pivoting on the diagonal as it is."""
    n = self.shape[-1]
    eye = torch.eye(n, dtype=self.dtype, device=self.device)
    augmented = torch.cat([self, eye], dim=-1)
    for i in range(n):
        augmented[i] = augmented[i] / augmented[i, i]  # no row swap: a zero pivot divides by zero
        for j in range(n):
            if j != i:
                augmented[j] = augmented[j] - augmented[j, i] * augmented[i]
    return augmented[:, n:]


torch.Tensor.inverse = _gauss_jordan_inverse
torch.inverse = _gauss_jordan_inverse
torch.linalg.inv = _gauss_jordan_inverse
