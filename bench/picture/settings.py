"""How long each phase of the picture benchmark lasts; flags first, then HELPLINE_BENCH_*."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class PictureBenchSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HELPLINE_BENCH_", extra="ignore")

    # Bigger than the sharer's (the scene's 1920x1080), so the helper's window shows the
    # picture 1:1.
    helper_screen: tuple[int, int] = (2560, 1440)
    busy_seconds: float = 20.0
    # Not counted at the start of a busy phase: the encoder and the link settle.
    warmup_seconds: float = 2.0
    still_seconds: float = 6.0
    quiet_seconds: float = 2.0
    quiet_flips: int = 8
    soak_minutes: float = 10.0
    soak_sample_seconds: float = 5.0
    # Over emulated links (``--links``): how long a first picture may take before it counts
    # as never, how long a still text page is watched sharpening, each colour page held.
    first_picture_timeout: float = 30.0
    sharpen_seconds: float = 8.0
    colour_seconds: float = 4.0
    # Where to keep what the helper showed of the text page 1 s after motion (PNG), to look at.
    pictures: Path | None = None

    @classmethod
    def quick(cls) -> PictureBenchSettings:
        """Enough of every phase to prove the benchmark works end to end; no soak."""
        return cls(
            busy_seconds=4,
            warmup_seconds=1,
            still_seconds=3,
            quiet_seconds=1.5,
            quiet_flips=3,
            soak_minutes=0,
            first_picture_timeout=20,
            sharpen_seconds=4,
            colour_seconds=2,
        )
