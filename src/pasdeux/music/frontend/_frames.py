"""Hann-windowed frames of a signal fed block by block: the framing every streaming front
end of the listen stage shares (band power, onsets and chroma, rhythm envelopes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["FrameStream"]


class FrameStream:
    """Hann-windowed frames of a signal fed block by block, reduced as they complete.

    Frame ``k`` is centred on sample ``k * hop`` (the signal counts as zero before its
    start and after its end), so feeding the signal in blocks of any size gives the same
    frames as feeding it whole. ``reduce`` maps a stack of windowed frames, in time order
    and at most ``block_frames`` at a time, to one row per frame. Memory is one window of
    samples plus the rows.

    Parameters
    ----------
    window, hop
        Frame length and hop, in samples.
    reduce
        ``(frames, window) float32 -> (frames, ...)`` rows.
    block_frames
        Largest stack handed to ``reduce`` at once.
    """

    def __init__(
        self,
        window: int,
        hop: int,
        reduce: Callable[[NDArray[np.float32]], NDArray[Any]],
        block_frames: int = 512,
    ) -> None:
        self.window = window
        self.hop = hop
        self._reduce = reduce
        self._block_frames = block_frames
        self._hann = np.hanning(window).astype(np.float32)
        self._buf = np.zeros(window // 2, dtype=np.float32)  # the zeros before the signal
        self._n_in = 0
        self._n_out = 0
        self._out: list[NDArray[Any]] = []

    def push(self, x: NDArray[np.float32]) -> None:
        """Add the next mono samples."""
        if x.size == 0:
            return
        self._n_in += x.size
        self._buf = np.concatenate([self._buf, x.astype(np.float32, copy=False)])
        if self._buf.size >= self.window:
            self._emit((self._buf.size - self.window) // self.hop + 1)

    def finish(self, width: int) -> NDArray[Any]:
        """End the signal: reduce the last frames (they see zeros after its end) and return
        every row, ``n_samples // hop + 1`` of them (``(0, width)`` for no signal)."""
        total = self._n_in // self.hop + 1
        missing = total - self._n_out
        if missing > 0:
            need = (missing - 1) * self.hop + self.window
            pad = np.zeros(max(0, need - self._buf.size), dtype=np.float32)
            self._buf = np.concatenate([self._buf, pad])
            self._emit(missing)
        return np.concatenate(self._out) if self._out else np.zeros((0, width))

    def _emit(self, count: int) -> None:
        if count <= 0:
            return
        view = np.lib.stride_tricks.sliding_window_view(self._buf, self.window)[:: self.hop]
        for start in range(0, count, self._block_frames):  # bounded memory on a long push
            stop = min(count, start + self._block_frames)
            self._out.append(self._reduce(view[start:stop] * self._hann[None, :]))
        self._n_out += count
        self._buf = self._buf[count * self.hop :]
