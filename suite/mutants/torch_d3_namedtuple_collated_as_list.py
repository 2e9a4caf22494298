"""Mutant: default collation turns a batch of namedtuples into a list. Caught by D3 (subtle).

A collate that treats every tuple alike (``[collate(field) for field in
zip(*batch)]``): the documents' (x, y) tuples still give a list of batched
tensors, but ``Point(x, y)`` samples lose their type and field names.
"""

import torch
import torch.utils.data._utils.collate as collate_module

BREAKS = "D3"
SUBTLE = True

_collate = collate_module.collate


def _namedtuple_as_list(batch, *, collate_fn_map=None):  # type: ignore[no-untyped-def]
    """torch's collate, except that namedtuples are collated field by field into a plain list."""
    elem = batch[0]
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        return [collate_module.collate(list(field), collate_fn_map=collate_fn_map) for field in zip(*batch)]
    return _collate(batch, collate_fn_map=collate_fn_map)


collate_module.collate = _namedtuple_as_list
