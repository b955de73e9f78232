"""Picture quality and timing figures, computed the usual way so they compare with others'.

PSNR and SSIM are on luma (BT.601), the channel that carries text. SSIM is Wang et al.'s,
with an 11-tap Gaussian window (sigma 1.5) over the whole image, in plain numpy.
"""

from __future__ import annotations

import math

import numpy as np

_C1 = (0.01 * 255) ** 2
_C2 = (0.03 * 255) ** 2


def luma(rgb: np.ndarray) -> np.ndarray:
    rgb = rgb.astype(np.float64)
    return 0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a - b) ** 2))
    return math.inf if mse == 0 else 10 * math.log10(255**2 / mse)


def _gaussian_filter(image: np.ndarray) -> np.ndarray:
    """Separable 11x11 Gaussian, 'valid' region only (no padding effects)."""
    taps = np.exp(-((np.arange(11) - 5) ** 2) / (2 * 1.5**2))
    taps /= taps.sum()
    rows = sum(w * image[:, k : image.shape[1] - 10 + k] for k, w in enumerate(taps))
    return sum(w * rows[k : rows.shape[0] - 10 + k, :] for k, w in enumerate(taps))


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    mu_a, mu_b = _gaussian_filter(a), _gaussian_filter(b)
    var_a = _gaussian_filter(a * a) - mu_a**2
    var_b = _gaussian_filter(b * b) - mu_b**2
    cov = _gaussian_filter(a * b) - mu_a * mu_b
    index = ((2 * mu_a * mu_b + _C1) * (2 * cov + _C2)) / (
        (mu_a**2 + mu_b**2 + _C1) * (var_a + var_b + _C2)
    )
    return float(index.mean())


def percentile(values: list[float], q: float) -> float | None:
    return float(np.percentile(values, q)) if values else None
