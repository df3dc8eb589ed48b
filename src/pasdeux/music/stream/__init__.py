"""Music as it plays: beats, downbeats and tempo decided causally from audio fed block by
block (a file played in real time, or the microphone).

:class:`BeatStream` takes blocks of mono samples and returns each beat as it is decided
(:class:`BeatEvent`: when it fell, when it was decided, the tempo, its count in the bar);
:func:`listen_stream` does the same over an iterable of blocks. :func:`file_blocks` plays
a file as a live source (in real time or as fast as possible) and
:func:`microphone_blocks` reads the default input through the optional ``sounddevice``.
The tunables are :class:`StreamParams`.

It shares nothing with the whole-song analysis but the decoding: that one reads the song
backwards too (bidirectional networks, Viterbi decoding), this one only what has been
heard (madmom's unidirectional beat LSTMs, forward filtering).
"""

from __future__ import annotations

from pasdeux.music.stream._params import StreamParams
from pasdeux.music.stream._stream import (
    BeatEvent,
    BeatStream,
    file_blocks,
    listen_stream,
    microphone_blocks,
)

__all__ = [
    "BeatEvent",
    "BeatStream",
    "StreamParams",
    "file_blocks",
    "listen_stream",
    "microphone_blocks",
]
