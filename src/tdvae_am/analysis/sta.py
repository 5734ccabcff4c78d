"""Spike-triggered average (STA) of white noise (paper Sec. 2.4, 3.2)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from tqdm.auto import tqdm

from ..am.errors import AMError
from ..am.selector import check_output, check_units


def spike_triggered_average(activation: Callable, units: Sequence[int], n_samples: int = 10000, *,
                            shape=(40, 40), noise_std: float = 1.0, batch_size: int = 1000, seed: int = 0,
                            device="cpu", progress: bool = False) -> torch.Tensor:
    """STA of many units at once from Gaussian white noise, with mean-subtracted responses.

    ``STA_u = (1/N) sum_t (a_u(s_t) - mean_t a_u) s_t`` for ``s_t ~ N(0, noise_std^2 I)``.
    For a linear unit ``a = w . s + b`` it estimates ``noise_std^2 * w`` regardless of ``b``.

    Parameters
    ----------
    activation : callable
        ``activation(x (B, H, W)) -> (B, n_units)``.
    units : sequence of int
    n_samples : int
        Number of noise images, drawn in batches of ``batch_size``.
    shape : (int, int)
    noise_std : float
    seed : int
        Seed of the noise generator.
    device : str or torch.device
    progress : bool
        Show a progress bar over batches.

    Returns
    -------
    Tensor (U, H, W)
    """
    unit_idx = check_units(units).to(device)
    if n_samples < 2:
        raise AMError(f"the STA needs n_samples >= 2, got {n_samples}")
    generator = torch.Generator(device=device).manual_seed(seed)
    n_pix = shape[0] * shape[1]
    sum_as = torch.zeros(len(unit_idx), n_pix, dtype=torch.float64, device=device)
    sum_s = torch.zeros(n_pix, dtype=torch.float64, device=device)
    sum_a = torch.zeros(len(unit_idx), dtype=torch.float64, device=device)
    with torch.no_grad():
        for start in tqdm(range(0, n_samples, batch_size), disable=not progress, desc="STA"):
            b = min(batch_size, n_samples - start)
            s = noise_std * torch.randn(b, *shape, generator=generator, device=device)
            out = activation(s)
            check_output(out, b, unit_idx)
            a = out[:, unit_idx].double()
            flat = s.reshape(b, -1).double()
            sum_as += a.T @ flat
            sum_s += flat.sum(0)
            sum_a += a.sum(0)
    sta = (sum_as - sum_a[:, None] * sum_s[None] / n_samples) / n_samples
    return sta.float().reshape(len(unit_idx), *shape)
