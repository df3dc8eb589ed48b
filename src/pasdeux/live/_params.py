"""The live session's tunables: one frozen, keyword-only dataclass, ``LiveParams``."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["LiveParams"]


@dataclass(frozen=True, kw_only=True)
class LiveParams:
    """How a live session performs and hands out its frames.

    Attributes
    ----------
    fps : float
        Frames a second of the motion sent to the page (and of what she senses of him).
    window_figures : int
        Figures performed before the new one in each window (their frames are not sent:
        they give the new figure's first steps where they come from).
    seam_s : float
        Over this time from the start of a new figure's frames, the difference between the
        frame sent last and the new performance's frame at the seam fades to nothing.
    lead_in_s : float
        Frames performed before the first frame to send (the window's figures are all
        replayed; its frames are posed from here), and frames he senses of her before her
        first figure when she takes the lead.
    """

    fps: float = 30.0
    window_figures: int = 1
    seam_s: float = 0.25
    lead_in_s: float = 1.0

    def __post_init__(self) -> None:
        if not 1.0 <= self.fps <= 120.0:
            raise ValueError(f"fps must be 1 to 120, got {self.fps!r}")
        if self.window_figures < 1:
            raise ValueError(f"window_figures must be at least 1, got {self.window_figures!r}")
        for name in ("seam_s", "lead_in_s"):
            if not 0.0 <= getattr(self, name) <= 10.0:
                raise ValueError(f"{name} must be 0 to 10 s, got {getattr(self, name)!r}")
