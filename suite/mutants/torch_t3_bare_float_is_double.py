"""Mutant: tensor(3.5), a bare Python float, is float64. Caught by T3 (subtle).

A port that makes lists float32 but passes a bare scalar to numpy as it is:
the document's ``tensor([[1., 2., 3.], [4., 5., 6.]])`` is float32, as it
must be, while ``tensor(3.5)`` comes out a DoubleTensor.
"""

import torch

BREAKS = "T3"
SUBTLE = True

_tensor = torch.tensor


def _bare_float_double(data: object, *args: object, **kwargs: object) -> torch.Tensor:
    """torch.tensor, with a bare float made float64 where no dtype is given."""
    if isinstance(data, float) and "dtype" not in kwargs and not args:
        kwargs["dtype"] = torch.float64
    return _tensor(data, *args, **kwargs)


torch.tensor = _bare_float_double
