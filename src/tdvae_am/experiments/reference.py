"""Reference measurements of the studied units that every AM result is compared with:
the white-noise analysis (STA, paper Sec. 3.2) with its best Gabor fit, and the units'
responses, ELBO and spectra on held-out natural patches."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from tdvae_am.analysis.gabor import best_gabor, edge_likeness
from tdvae_am.analysis.spectra import spectral_entropy
from tdvae_am.analysis.sta import spike_triggered_average
from tdvae_am.imageops.fourier import HF_CUTOFF, high_frequency_power
from tdvae_am.train.evaluation import per_patch


def unit_reference(model, units: Sequence[int], natural: np.ndarray, *, sta_samples: int, whitening_cutoff: float,
                   seed: int = 0, device="cpu", layer: str = "z2", progress: bool = False, untrained=None) -> tuple:
    """STA, its Gabor fit and natural-patch statistics of ``units``.

    Parameters
    ----------
    model : LatentVariableModel
    units : sequence of int
        Studied units of ``layer``.
    natural : array (N, H, W)
        Held-out whitened natural patches.
    sta_samples : int
        White-noise images of the STA (unit variance, like the whitened patches).
    whitening_cutoff : float
        The whitening filter's roll-off frequency f0 in cycles per pixel (above it the
        data have almost no power).
    untrained : LatentVariableModel, optional
        The same architecture untrained: the STA of the same units, a null of edge-likeness.

    Returns
    -------
    arrays : dict of str -> array
        ``sta`` (U, H, W), ``sta_gabor`` (U, H, W): best Gabor of each STA.
    summary : dict
        Per unit (lists of length U): ``sta_activation`` (activation of the STA scaled
        to unit pixel std), ``sta_gabor_correlation``, its phase-scrambled null
        ``sta_gabor_null`` (:func:`~tdvae_am.analysis.gabor.edge_likeness`), ``sta_split_half``
        (correlation of the STAs of two halves of the noise), ``sta_gabor_correlation_untrained``
        (with ``untrained``), ``natural_mean``/``natural_std``/``natural_median``/``natural_p99``/
        ``natural_max`` activation; and over patches ``natural_elbo`` (mean, std),
        ``natural_elbo_p1``/``natural_elbo_p99``, ``natural_hf_power``, ``natural_power_above_whitening_cutoff`` (with
        ``whitening_cutoff``), ``natural_spectral_entropy``, ``natural_pixel_std``.
    """
    activation = lambda x: model.posterior_moments(x, layer)[0]  # noqa: E731
    units = list(units)
    sta = spike_triggered_average(activation, units, sta_samples, shape=natural.shape[-2:], seed=seed,
                                  device=device, progress=progress)
    halves = [spike_triggered_average(activation, units, sta_samples // 2, shape=natural.shape[-2:], seed=seed + k,
                                      device=device).flatten(1).cpu() for k in (1, 2)]
    halves = [h - h.mean(1, keepdim=True) for h in halves]
    split_half = (halves[0] * halves[1]).sum(1) / (halves[0].norm(dim=1) * halves[1].norm(dim=1)).clamp_min(1e-12)
    sta_scaled = sta / sta.flatten(1).std(1).clamp_min(1e-12)[:, None, None]
    gabor = best_gabor(target=sta.cpu())
    edges = edge_likeness(sta.cpu().numpy(), seed=seed)
    x = torch.as_tensor(natural, dtype=torch.float32, device=device)
    acts = per_patch(activation, x, 1000, seed)[:, units].cpu().numpy()
    elbo = per_patch(model.elbo, x, 1000, seed).cpu().numpy()
    with torch.no_grad():
        sta_act = activation(sta_scaled)[torch.arange(len(units)), units].cpu().numpy()
    summary = {
        "units": units,
        "sta_samples": sta_samples,
        "sta_activation": sta_act.tolist(),
        "sta_gabor_correlation": gabor.correlation.tolist(),
        "sta_gabor_null": edges["null"].tolist(),
        "sta_split_half": split_half.tolist(),
        "natural_mean": acts.mean(0).tolist(),
        "natural_std": acts.std(0).tolist(),
        "natural_median": np.median(acts, 0).tolist(),
        "natural_p99": np.percentile(acts, 99, axis=0).tolist(),
        "natural_max": acts.max(0).tolist(),
        "natural_elbo": [float(elbo.mean()), float(elbo.std())],
        "natural_elbo_p1": float(np.percentile(elbo, 1)),
        "natural_elbo_p99": float(np.percentile(elbo, 99)),
        "natural_hf_power": float(high_frequency_power(x[:, None], HF_CUTOFF).mean()),
        "whitening_cutoff": float(whitening_cutoff),
        "natural_power_above_whitening_cutoff": float(high_frequency_power(x[:, None], whitening_cutoff).mean()),
        "natural_spectral_entropy": float(spectral_entropy(x.cpu()).mean()),
        "natural_pixel_std": float(x.flatten(1).std(1).mean()),
        "n_natural": int(len(x)),
    }
    arrays = {"sta": sta.cpu().numpy(), "sta_gabor": gabor.images}
    if untrained is not None:
        null_activation = lambda x: untrained.posterior_moments(x, layer)[0]  # noqa: E731
        sta_null = spike_triggered_average(null_activation, units, sta_samples, shape=natural.shape[-2:], seed=seed,
                                           device=device)
        summary["sta_gabor_correlation_untrained"] = best_gabor(target=sta_null.cpu()).correlation.tolist()
        arrays["sta_untrained"] = sta_null.cpu().numpy()
    return arrays, summary
