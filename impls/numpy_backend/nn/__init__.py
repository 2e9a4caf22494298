"""``nn``: Modules, Parameters, layers, losses, ``functional`` and ``init`` (M1-M8)."""

from . import functional, init
from .containers import ModuleDict, ModuleList, Sequential
from .layers import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, Dropout, Flatten, Identity, L1Loss, LeakyReLU,
                     Linear, LogSoftmax, MSELoss, NLLLoss, ReLU, Sigmoid, Softmax, Tanh)
from .module import Module
from .parameter import Parameter

__all__ = [
    "functional", "init", "Module", "Parameter", "Sequential", "ModuleList", "ModuleDict", "Identity", "Linear",
    "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "Flatten", "Softmax", "LogSoftmax", "Dropout", "MSELoss", "L1Loss",
    "BCELoss", "BCEWithLogitsLoss", "NLLLoss", "CrossEntropyLoss",
]
