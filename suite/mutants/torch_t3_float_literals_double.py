"""Mutant: tensor() of Python data goes through np.asarray, so float literals give float64. Caught by T3.

A port that converts lists with numpy first inherits numpy's rule: Python
floats are float64, and ``[1, 2.5]`` is float64 too, so the mixed-literal
tests of T4 (the same rule applied to mixtures) fail with it. numpy arrays,
ints and bools are untouched.
"""

import numpy as np
import torch

BREAKS = "T3"
SUBTLE = False

_tensor = torch.tensor


def _tensor_via_numpy(data: object, *args: object, **kwargs: object) -> torch.Tensor:
    """torch.tensor, after np.asarray of Python data when no dtype is asked for."""
    if isinstance(data, (list, tuple, float, complex)) and kwargs.get("dtype") is None:
        data = np.asarray(data)
    return _tensor(data, *args, **kwargs)


torch.tensor = _tensor_via_numpy
