"""The front end: audio files decoded (within budgets), and the per-frame features every later
step reads, computed as the samples stream in: madmom's beat and downbeat activations, the
energy curve and onset flux (:class:`FeatureStream`), band onsets, chroma and the bass
(:class:`OnsetStream`; these at :data:`FPS` frames a second), band-wise onset envelopes
for the rhythm (:class:`RhythmStream`) and band power for the texture (:class:`BandFrames`)."""

from pasdeux.music.frontend._audio import (
    AudioLimits,
    as_mono,
    check_audio_file,
    check_length,
    load_audio,
    open_audio,
    sample_blocks,
)
from pasdeux.music.frontend._bands import BandFrames
from pasdeux.music.frontend._envelopes import BandEnvelopes, RhythmStream
from pasdeux.music.frontend._features import (
    BREAK_DB,
    FLOOR_DB,
    FPS,
    SAMPLE_RATE_HZ,
    Features,
    FeatureStream,
    Resampler,
    dbn_beats,
    frame_index,
    frame_max,
)
from pasdeux.music.frontend._frames import FrameStream
from pasdeux.music.frontend._onsets import (
    Onsets,
    OnsetStream,
    beat_bass_notes,
    pitch_change,
    window_max,
)

__all__ = [
    "BREAK_DB",
    "FLOOR_DB",
    "FPS",
    "SAMPLE_RATE_HZ",
    "AudioLimits",
    "BandEnvelopes",
    "BandFrames",
    "FeatureStream",
    "Features",
    "FrameStream",
    "OnsetStream",
    "Onsets",
    "Resampler",
    "RhythmStream",
    "as_mono",
    "beat_bass_notes",
    "check_audio_file",
    "check_length",
    "dbn_beats",
    "frame_index",
    "frame_max",
    "load_audio",
    "open_audio",
    "pitch_change",
    "sample_blocks",
    "window_max",
]
