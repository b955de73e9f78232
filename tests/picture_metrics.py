"""Picture quality against a source: PSNR, and SSIM on 8x8 blocks of luma (text is fine
detail, so small windows are what tell legible from blurred)."""

from __future__ import annotations

import numpy as np

_C1 = (0.01 * 255) ** 2
_C2 = (0.03 * 255) ** 2


def psnr(picture: np.ndarray, source: np.ndarray) -> float:
    mse = float(np.mean((picture.astype(np.float64) - source.astype(np.float64)) ** 2))
    return float("inf") if mse == 0 else 10 * np.log10(255**2 / mse)


def ssim(picture: np.ndarray, source: np.ndarray, block: int = 8) -> float:
    h, w = (d - d % block for d in picture.shape[:2])
    a = picture[:h, :w].astype(np.float64).reshape(h // block, block, w // block, block)
    b = source[:h, :w].astype(np.float64).reshape(h // block, block, w // block, block)
    ma, mb = a.mean(axis=(1, 3)), b.mean(axis=(1, 3))
    va, vb = a.var(axis=(1, 3)), b.var(axis=(1, 3))
    cov = ((a - ma[:, None, :, None]) * (b - mb[:, None, :, None])).mean(axis=(1, 3))
    index = ((2 * ma * mb + _C1) * (2 * cov + _C2)) / ((ma**2 + mb**2 + _C1) * (va + vb + _C2))
    return float(index.mean())
