"""A live session: the leader's figures chosen as the song plays, the follower reading him.

Nothing is planned ahead. Each call of :meth:`LiveSession.next_figure` commits one more
figure at the next figure boundary: the one chosen (any the dance's ``follows`` rules
allow next: :meth:`LiveSession.options`), or one the leader improvises (seeded). Then:

1. what she senses of him (:func:`pasdeux.choreo.lead_frames`) up to the landing of the
   new figure's last step goes, frame by frame, to the one :class:`pasdeux.follow.Follower`
   the session keeps: she never sees his choice, and her belief carries on from figure to
   figure;
2. the motion stage performs a short window, the figure before (``window_figures``) and
   the new one, shifted in time so that its frames begin ``lead_in_s`` before the first
   frame to send (the stage poses every frame from 0 s), with her own steps (and his,
   where she leads);
3. only the frames from the last frame sent to the new figure's last landing (the
   earlier of his and hers) are handed out: the body moves on a smooth path through the
   landings, so what comes after the last landing waits for the next figure (the next
   chunk begins there). The difference at the seam between the frame sent last and the
   window's frame there fades out over ``seam_s``; the window's first figure is there
   only so that the new figure's first steps come from where the dancers are.

So the next figure must be committed before the playback reaches the current figure's
last landing (about a beat before its end), and its frames are ready from there.

A figure can only begin at a figure boundary: a choice made while the next figure is not
yet committed is that figure; after that it waits for the boundary after (the caller says
which figure a choice is for).

Cut in (:meth:`LiveSession.cut_in`): a second leader, improvising with his own seed, takes
over from the next figure (she goes on reading: the same follower, no break); cutting in
again gives the lead back. Hijack (:meth:`LiveSession.hijack`): from the next figure to the
end of its phrase she chooses the figures (her own seed) and dances her part, and he reads
her (:func:`pasdeux.choreo.read_her`'s reader, kept across her figures).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from pasdeux.choreo import (
    HIJACK_WHY,
    Floor,
    FollowedStep,
    LeadMotion,
    PlacedFigure,
    Routine,
    as_followed,
    her_part,
    hijack_span,
    lead_frames,
    legal_next,
    next_start_beat,
    place_next,
    swap_roles,
    swapped_routine,
)
from pasdeux.dances import DanceStyle, Figure
from pasdeux.errors import InputError
from pasdeux.follow import Follower
from pasdeux.live._params import LiveParams
from pasdeux.motion import MotionParams, perform
from pasdeux.music import MusicMap

__all__ = ["Chunk", "Leads", "LiveSession"]

Leads = Literal["you", "second leader", "follower"]
"""Who chooses a figure: the user (``you``; the leader improvises when the user does not
choose), the second leader who cut in, or the follower (a hijack)."""


@dataclass(frozen=True)
class Chunk:
    """One committed figure and the motion of both dancers that goes with it.

    ``first_frame`` is the song's frame (at ``LiveParams.fps``) of ``positions_m``'s first
    row; ``positions_m`` maps each role to its joint positions (frames, joints, 3), up to
    the figure's last landing (the rest comes with the next figure).
    ``steps`` are her steps decided for this figure (and his where she leads), ``options``
    the figures allowed next and ``next_leads`` who will choose the next one.
    """

    index: int
    figure: str
    name: str
    leads: Leads
    start_s: float
    end_s: float
    bar: int
    first_frame: int
    positions_m: dict[str, NDArray[np.float32]]
    steps: tuple[FollowedStep, ...]
    options: tuple[Figure, ...]
    next_leads: Leads

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: positions in whole millimetres."""
        return {
            "index": self.index,
            "figure": self.figure,
            "name": self.name,
            "leads": self.leads,
            "start_s": self.start_s,
            "end_s": self.end_s,
            "bar": self.bar,
            "first_frame": self.first_frame,
            "n_frames": int(next(iter(self.positions_m.values())).shape[0]),
            "positions_mm": {
                role: np.round(pos * 1000).astype(np.int64).tolist()
                for role, pos in self.positions_m.items()
            },
            "steps": [
                {
                    "role": s.role,
                    "t_s": round(s.time_s, 4),
                    "led": s.led_name,
                    "read": s.read_name,
                    "wrong": s.wrong,
                }
                for s in self.steps
            ],
            "options": [{"id": f.id, "name": f.name} for f in self.options],
            "next_leads": self.next_leads,
        }


class LiveSession:
    """A song danced live: figures committed one at a time, the follower reading him.

    Parameters
    ----------
    music
        The song as danced (counted in ``style``'s meter and tempo octave).
    style
        The dance.
    seed
        The leader's improvisation when the user does not choose (the second leader who
        cuts in improvises with ``seed + 1``, the follower leading with ``seed + 2``).
    floor
        His level and the floor (:class:`pasdeux.choreo.Floor`).
    motion
        The motion stage's tunables.
    params
        The session's tunables (:class:`LiveParams`).
    """

    def __init__(
        self,
        music: MusicMap,
        style: DanceStyle,
        *,
        seed: int = 0,
        floor: Floor | None = None,
        motion: MotionParams | None = None,
        params: LiveParams | None = None,
    ) -> None:
        self.music, self.style, self.seed = music, style, seed
        self.floor = floor or Floor()
        self.motion = motion or MotionParams()
        self.params = params or LiveParams()
        self.placed: list[PlacedFigure] = []
        self.leads: list[Leads] = []
        self.steps: list[FollowedStep] = []
        self.leader: Leads = "you"
        self._rng = {
            "you": np.random.default_rng(seed),
            "second leader": np.random.default_rng(seed + 1),
            "follower": np.random.default_rng(seed + 2),
        }
        self._hijack: tuple[float, float] | None = None
        self._follower: Follower | None = None
        self._reader: Follower | None = None
        self._fed = 0  # the next frame she senses
        self._his_fed = 0  # the next frame he senses of her (in a hijack)
        self._sent = 0  # the next frame handed out
        self._last: dict[str, NDArray[np.float64]] = {}
        self._swapped = swap_roles(style)

    @property
    def n_frames(self) -> int:
        """The song's frames at ``LiveParams.fps``."""
        return math.floor(self.music.duration_s * self.params.fps) + 1

    def next_leads(self) -> Leads:
        """Who chooses the next figure."""
        start = next_start_beat(self.placed)
        if self._hijack is not None and self._hijack[0] - 1e-6 <= start < self._hijack[1] - 1e-6:
            return "follower"
        return self.leader

    def options(self) -> tuple[Figure, ...]:
        """The figures allowed next (empty at the song's end)."""
        return legal_next(self.music, self.style, self.placed, self.floor)

    def cut_in(self) -> Leads:
        """A second leader takes over from the next figure (or, when he leads, the user
        takes the lead back). Returns who leads now."""
        self.leader = "second leader" if self.leader == "you" else "you"
        return self.leader

    def hijack(self) -> tuple[int, int]:
        """The follower leads from the next figure to the end of its phrase; returns the
        first and last bars of her phrase.

        Raises
        ------
        InputError
            At the song's end (no next figure).
        """
        start = next_start_beat(self.placed)
        tempo = self.music.tempo_map
        start_s = tempo.second_from_beat(start)
        bars = self.music.bars
        bar = sum(1 for b in bars if b.start <= start_s + 1e-6)
        if not self.options() or bar < 1:
            raise InputError(None, "the song is at its end: there is no phrase to lead")
        self._hijack = hijack_span(self.music, bar)
        end_s = tempo.second_from_beat(self._hijack[1])
        return bar, max(bar, sum(1 for b in bars if b.start < end_s - 1e-6))

    def next_figure(self, choice: str | None = None) -> Chunk | None:
        """Commit the next figure and return its motion (``None`` at the song's end).

        Parameters
        ----------
        choice
            The figure's id (one of :meth:`options`); ``None``: the one who leads
            improvises. Only the user chooses: a choice while the second leader or the
            follower leads is refused.

        Raises
        ------
        InputError
            A choice that is not allowed next, or made while another leads.
        """
        options = self.options()
        if not options:
            return None
        leads = self.next_leads()
        if choice is not None and leads != "you":
            raise InputError(None, f"the {leads} leads the next figure: it is not yours to choose")
        if choice is not None and choice not in {f.id for f in options}:
            allowed = ", ".join(f.id for f in options)
            raise InputError(None, f"{choice!r} may not come next (allowed: {allowed})")
        if choice is None:
            fig = options[int(self._rng[leads].integers(len(options)))]
        else:
            fig = next(f for f in options if f.id == choice)
        why = {
            "you": "led by you (or improvised by the leader when you did not choose)",
            "second leader": f"improvised by the second leader (cut in, seed {self.seed + 1})",
            "follower": HIJACK_WHY,
        }[leads]
        self.placed.append(place_next(self.music, self.style, fig, self.placed, why))
        self.leads.append(leads)
        new = self._read()
        return self._chunk(new)

    def routine(self, first: int = 0) -> Routine:
        """The figures committed so far (from the ``first``), on the song's beats."""
        return Routine(
            source=self.music.source,
            level=self.floor.level,
            seed=self.seed,
            floor_m=(float(self.floor.floor_m[0]), float(self.floor.floor_m[1])),
            beats=self.music.beats,
            first_downbeat_index=self.music.first_downbeat_index,
            figures=tuple(self.placed[first:]),
        )

    def _feed(self, reader: Follower, motion: LeadMotion, upto: int) -> list[Any]:
        """Give ``reader`` ``motion``'s frames up to the song's frame ``upto``."""
        fps = self.params.fps
        out: list[Any] = []
        for frame in motion.frames:
            if round(frame.time_s * fps) > upto:
                break
            out += reader.feel(frame)
        return out

    def _read(self) -> list[FollowedStep]:
        """Her steps (and his, where she leads) decided over the new figure: the frames
        sensed from the last one given up to the landing of the new figure's last step."""
        k = len(self.placed) - 1
        first = max(0, k - self.params.window_figures)
        fps = self.params.fps
        window = self.routine(first)
        motion = lead_frames(window, fps=fps, from_s=self._fed / fps)
        upto = math.ceil(motion.steps[-1].land_s * fps - 1e-9)
        if self._follower is None:
            self._follower = Follower(self.style, position=self.placed[0].figure.start_position)
        felt = self._feed(self._follower, motion, upto)
        self._fed = upto + 1
        new = list(as_followed(felt, motion, window, self.style, first_figure=first))
        if self.leads[k] == "follower":
            new = [s for s in new if s.figure_index != k]
            new += [*her_part(self.routine(), {k}), *self._read_her(k)]
        self.steps += new
        return sorted(new, key=lambda s: s.time_s)

    def _read_her(self, k: int) -> list[FollowedStep]:
        """His steps over her figure ``k``: a reader with the roles swapped, kept over her
        run of figures, given what he senses of her."""
        fps = self.params.fps
        run = k
        while run > 0 and self.leads[run - 1] == "follower":
            run -= 1
        if run == k or self._reader is None:
            position = self._swapped.figure(self.placed[k].figure.id).start_position
            self._reader = Follower(self._swapped, position=position)
            start = self.placed[k].start_s - self.params.lead_in_s
            self._his_fed = max(0, math.floor(start * fps))
        first = max(run, k - self.params.window_figures)
        window = swapped_routine(self.routine(first), self._swapped)
        motion = lead_frames(window, fps=fps, from_s=self._his_fed / fps)
        upto = math.ceil(motion.steps[-1].land_s * fps - 1e-9)
        felt = self._feed(self._reader, motion, upto)
        self._his_fed = upto + 1
        read = as_followed(felt, motion, window, self._swapped, first_figure=first)
        return [
            replace(s, step=self.style.figure(s.read).leader[s.index], role="leader") for s in read
        ]

    def _final_frame(self, k: int) -> int:
        """The first frame the figure after ``k`` may still change: the body moves on a
        smooth path through the landings, so the frames after either dancer's last
        landing of figure ``k`` wait for the next figure."""
        placed = self.placed[k]
        tempo = self.music.tempo_map
        his = [tempo.second_from_beat(placed.start_beat + s.beat) for s in placed.figure.leader]
        theirs = [s.time_s for s in self.steps if s.figure_index == k]
        last = min(max(his), max(theirs, default=max(his)))
        return math.floor(last * self.params.fps) + 1

    def _chunk(self, new: list[FollowedStep]) -> Chunk:
        """The new figure's chunk: its frames not yet sent, up to its last landing (to the
        song's end after the last figure)."""
        k = len(self.placed) - 1
        options = self.options()
        end_frame = self.n_frames if not options else self._final_frame(k)
        end_frame = min(max(end_frame, self._sent + 1), self.n_frames)
        chunk = Chunk(
            index=k,
            figure=self.placed[k].figure.id,
            name=self.placed[k].figure.name,
            leads=self.leads[k],
            start_s=self.placed[k].start_s,
            end_s=self.placed[k].end_s,
            bar=self.placed[k].bar,
            first_frame=self._sent,
            positions_m=self._window(k, end_frame),
            steps=tuple(new),
            options=options,
            next_leads=self.next_leads(),
        )
        self._sent = end_frame
        return chunk

    def _window(self, k: int, end_frame: int) -> dict[str, NDArray[np.float32]]:
        """Perform the window ending with figure ``k`` (shifted so that its frames begin
        ``lead_in_s`` before the first frame to send) and
        return each dancer's frames from the last one sent to ``end_frame``, the seam with
        the frame sent last faded out over ``seam_s``."""
        p, fps = self.params, self.params.fps
        first = max(0, k - p.window_figures)
        t0_frame = max(0, self._sent - round(p.lead_in_s * fps))
        t0 = t0_frame / fps
        shifted = replace(
            self.routine(first),
            beats=tuple(b - t0 for b in self.music.beats),
            figures=tuple(
                replace(f, start_s=f.start_s - t0, end_s=f.end_s - t0) for f in self.placed[first:]
            ),
        )
        own = {
            role: [
                replace(s, time_s=s.time_s - t0, figure_index=s.figure_index - first)
                for s in self.steps
                if s.role == role and s.figure_index >= first
            ]
            for role in ("follower", "leader")
        }
        performance = perform(
            shifted,
            duration_s=(end_frame - t0_frame) / fps,
            fps=fps,
            params=self.motion,
            follower_steps=own["follower"] or None,
            leader_steps=own["leader"] or None,
        )
        positions = {}
        for dancer in performance.dancers:
            every = dancer.joint_positions()
            pos = every[self._sent - t0_frame : end_frame - t0_frame]
            before = self._sent - 1 - t0_frame
            if dancer.role in self._last and before >= 0:
                gap = self._last[dancer.role] - every[before]
                fade = np.clip(1.0 - (np.arange(len(pos)) + 1) / max(p.seam_s * fps, 1.0), 0, 1)
                pos = pos + fade[:, None, None] * gap[None]
            self._last[dancer.role] = pos[-1]
            positions[dancer.role] = pos.astype(np.float32)
        return positions
