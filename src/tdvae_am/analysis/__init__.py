"""Analysis tools around AM (paper Sec. 3.2, 3.8, 3.9), all batched over units.

* ``sta``: spike-triggered average of white noise;
* ``gabor``: best Gabor by grid search and optimal Gabor by gradient optimization;
* ``spectra``: Fourier amplitude spectrum, its entropy, dominant spatial frequency;
* ``robustness``: activation under masking, shifting and jittering of an image;
* ``dataset``: dataset patches with the highest or nearest activation.

Models enter as ``activation(x (B, H, W)) -> (B, n_units)`` plus a list of unit indices,
as in :mod:`tdvae_am.am`.
"""

from .dataset import PatchSelection, nearest_in_activation, top_activating
from .gabor import GaborFit, best_gabor, default_grid, gabor, optimal_gabor
from .robustness import aperture_curve, jitter_activation, occlusion_map, shift_map
from .spectra import amplitude_spectrum, dominant_frequency, spectral_entropy
from .sta import spike_triggered_average

__all__ = [
    "GaborFit", "PatchSelection", "amplitude_spectrum", "aperture_curve", "best_gabor", "default_grid",
    "dominant_frequency", "gabor", "jitter_activation", "nearest_in_activation", "occlusion_map", "optimal_gabor",
    "shift_map",
    "spectral_entropy", "spike_triggered_average", "top_activating",
]
