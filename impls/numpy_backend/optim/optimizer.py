"""``Optimizer``: parameter groups, per-parameter state, ``zero_grad``, ``state_dict`` (O2, M6, M7).

An optimiser holds ``param_groups`` (lists of parameters, each group with its
own hyperparameters) and ``state`` (per parameter, e.g. SGD's momentum
buffer). ``state_dict()`` names parameters by their position across the
groups, so a fresh optimiser over a fresh model can ``load_state_dict`` it and
continue exactly where the saved one stopped (M7).
"""

from __future__ import annotations

import copy
from collections import defaultdict
from typing import Any

from ..tensor import Tensor


class Optimizer:
    """Base class: subclasses implement ``step()`` using ``self.param_groups`` and ``self.state``."""

    def __init__(self, params: Any, defaults: dict[str, Any]) -> None:
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, "
                            f"but got {params.type()}")
        self.defaults = defaults
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, group: dict[str, Any]) -> None:
        """Add a group of parameters; hyperparameters it does not set come from ``defaults``."""
        params = group["params"]
        group = dict(group)
        group["params"] = [params] if isinstance(params, Tensor) else list(params)
        for p in group["params"]:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {type(p).__name__}")
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            group.setdefault(name, default)
        existing = {id(p) for g in self.param_groups for p in g["params"]}
        if existing & {id(p) for p in group["params"]}:
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear every parameter's gradient: to None (PyTorch ≥ 2.0's default), or zeroed in place (O2)."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad.detach_()
                    p.grad.zero_()

    def step(self, closure: Any = None) -> Any:
        """Update the parameters from their gradients (subclasses)."""
        raise NotImplementedError

    def state_dict(self) -> dict[str, Any]:
        """``{"state": {index: {...}}, "param_groups": [{..., "params": [indices]}]}``: parameters by position (M7)."""
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
            groups.append(packed)
        state = {index[id(p)]: value for p, value in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Take hyperparameters and state from a ``state_dict``, matching parameters by position (M7)."""
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(s["params"]) != len(g["params"]) for s, g in zip(saved_groups, self.param_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match the size of optimizer's group")
        by_index = {i: p for s, g in zip(saved_groups, self.param_groups) for i, p in zip(s["params"], g["params"])}
        self.state = defaultdict(dict)
        for i, value in state_dict["state"].items():
            param = by_index[int(i)]
            self.state[param] = {k: _cast_like(param, v) for k, v in value.items()}
        self.param_groups = [{**saved, "params": group["params"]} for saved, group in zip(saved_groups, self.param_groups)]

    def __getstate__(self) -> dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {key}: {group[key]}" for key in sorted(group) if key != "params"]
        return "\n".join(lines + [")"])


def _cast_like(param: Tensor, value: Any) -> Any:
    """A saved state tensor in its parameter's dtype (and the cpu); anything else as it is."""
    if isinstance(value, Tensor) and param.is_floating_point() and value.is_floating_point():
        return value.to(dtype=param.dtype)
    return value

