"""Unit selection: validate unit indices and pick each batch element's own unit."""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence

import torch

from .errors import AMError


def check_units(units: Sequence[int]) -> torch.Tensor:
    """Validate a list of unit indices (not yet against the layer size).

    Returns
    -------
    LongTensor (U,)

    Raises
    ------
    AMError
        If the list is empty, or an entry is not a non-negative integer.
    """
    units = list(units)
    if not units:
        raise AMError("the unit list is empty: give at least one unit index")
    indices = []
    for u in units:
        try:
            if isinstance(u, bool):
                raise TypeError
            indices.append(operator.index(u))
        except TypeError:
            raise AMError(f"unit index {u!r} is not an integer") from None
    negative = [u for u in indices if u < 0]
    if negative:
        raise AMError(f"unknown unit index {negative}: unit indices must be >= 0")
    return torch.tensor(indices, dtype=torch.long)


def check_output(out: torch.Tensor, batch: int, units: torch.Tensor) -> None:
    """Check that an activation output is (batch, n_units) and every unit exists.

    Raises
    ------
    AMError
        On a wrong shape or a unit index >= n_units.
    """
    if not isinstance(out, torch.Tensor) or out.dim() != 2 or out.shape[0] != batch:
        shape = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
        raise AMError(f"activation(x) must return a tensor of shape (B={batch}, n_units), got {shape}")
    bad = units[units >= out.shape[1]]
    if len(bad):
        raise AMError(f"unknown unit index {bad.tolist()}: the layer has {out.shape[1]} units")


def own_activation(out: torch.Tensor, unit_of_row: torch.Tensor) -> torch.Tensor:
    """Activation of each row's own unit: ``out[b, unit_of_row[b]]``, shape (B,)."""
    return out.gather(1, unit_of_row[:, None]).squeeze(1)


def max_other_activation(out: torch.Tensor, unit_of_row: torch.Tensor) -> torch.Tensor:
    """Largest activation among the other units of the layer for each row, shape (B,)."""
    if out.shape[1] == 1:
        return torch.full_like(out[:, 0], float("nan"))
    masked = out.scatter(1, unit_of_row[:, None], float("-inf"))
    return masked.max(dim=1).values


def unit_activation(activation: Callable, images: torch.Tensor, units: Sequence[int],
                    batch_size: int = 4096) -> torch.Tensor:
    """Activation of each unit on its own images, without gradient.

    Parameters
    ----------
    activation : callable
        ``activation(x (B, H, W)) -> (B, n_units)``.
    images : Tensor (U, ..., H, W)
        Images for unit ``units[i]`` at ``images[i]``.
    units : sequence of int, length U

    Returns
    -------
    Tensor (U, ...)
    """
    unit_idx = check_units(units).to(images.device)
    if images.shape[0] != len(unit_idx):
        raise AMError(f"images have {images.shape[0]} rows for {len(unit_idx)} units")
    lead = images.shape[:-2]
    flat = images.reshape(-1, *images.shape[-2:])
    rows = unit_idx.repeat_interleave(flat.shape[0] // len(unit_idx))
    values = []
    with torch.no_grad():
        for start in range(0, flat.shape[0], batch_size):
            out = activation(flat[start:start + batch_size])
            check_output(out, len(flat[start:start + batch_size]), unit_idx)
            values.append(own_activation(out, rows[start:start + batch_size]))
    return torch.cat(values).reshape(lead)
