"""Mutant: tensor(n) of a bare Python int is a 0-dim float32 tensor. Caught by T2.

A port whose scalar path builds a 0-dim tensor through ``float(data)`` (a
``full((), float(data))``), while nested data goes through dtype inference:
``tensor([[1, 2, 3], [4, 5, 6]])`` is still int64, but ``tensor(3)`` is
``tensor(3.)``, a FloatTensor, where PyTorch gives a 0-dim LongTensor. T4's
bare literal 3 fails with it.
"""

import torch

BREAKS = "T2"
SUBTLE = True

_tensor = torch.tensor


def _tensor_with_float_scalars(data: object, *args: object, **kwargs: object) -> torch.Tensor:
    """torch.tensor, except that a bare int (not a bool) with no dtype asked for goes through float()."""
    if isinstance(data, int) and not isinstance(data, bool) and kwargs.get("dtype") is None:
        data = float(data)
    return _tensor(data, *args, **kwargs)


torch.tensor = _tensor_with_float_scalars
