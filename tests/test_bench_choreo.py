"""The choreography benchmark's own BVH reader and metric functions, on known answers."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from benchmods import load_bench
from pasdeux.dances import find_style, successors
from pasdeux.export import bvh_text
from pasdeux.motion import DancerMotion, skeleton_for_height

bc: Any = load_bench("choreo")

TINY_BVH = """HIERARCHY
ROOT hips
{
  OFFSET 0 0 0
  CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation
  JOINT arm
  {
    OFFSET 0 10 0
    CHANNELS 3 Zrotation Xrotation Yrotation
    JOINT hand
    {
      OFFSET 0 5 0
      CHANNELS 3 Zrotation Xrotation Yrotation
      End Site
      {
        OFFSET 0 1 0
      }
    }
  }
}
MOTION
Frames: 4
Frame Time: 0.5
1 2 3 0 0 0 0 0 0 0 0 0
0 0 0 90 0 0 0 0 0 0 0 0
0 0 0 90 90 0 0 0 0 0 0 0
0 0 0 0 0 0 0 90 0 0 0 0
"""


def test_tiny_bvh_forward_kinematics_gives_the_hand_worked_positions() -> None:
    bvh = bc.parse_bvh(TINY_BVH)
    assert bvh.names == ("hips", "arm", "hand")
    assert bvh.parents == (-1, 0, 1)
    assert bvh.frame_time_s == 0.5
    p = bc.bvh_positions(bvh)
    assert p.shape == (4, 3, 3)
    # frame 0: translated only
    np.testing.assert_allclose(p[0], [[1, 2, 3], [1, 12, 3], [1, 17, 3]], atol=1e-9)
    # frame 1: Z 90 turns +y into -x
    np.testing.assert_allclose(p[1, 1], [-10, 0, 0], atol=1e-9)
    # frame 2: R = Rz Rx (channel order): Rx(90) takes +y to +z, Rz leaves z alone.
    # The other order (Rx Rz) would give (-10, 0, 0).
    np.testing.assert_allclose(p[2, 1], [0, 0, 10], atol=1e-9)
    # frame 3: the arm's own X 90 moves only the hand
    np.testing.assert_allclose(p[3], [[0, 0, 0], [0, 10, 0], [0, 10, 5]], atol=1e-9)
    # floor coordinates: metres, BVH (x, y, z) = floor (x, z, -y)
    np.testing.assert_allclose(bc.floor_positions_m(bvh)[3, 2], [0, -0.05, 0.10], atol=1e-12)


def test_bvh_reader_refuses_a_truncated_motion() -> None:
    with pytest.raises(ValueError, match="motion values"):
        bc.parse_bvh(TINY_BVH.rsplit("\n", 2)[0])


def test_independent_reader_agrees_with_the_projects_kinematics() -> None:
    rng = np.random.default_rng(3)
    skel = skeleton_for_height(1.68)
    n = 6
    quats = rng.normal(size=(n, len(skel.joints), 4))
    quats /= np.linalg.norm(quats, axis=-1, keepdims=True)
    roots = rng.uniform(-4, 4, size=(n, 3))
    dancer = DancerMotion("leader", 1.68, skel, roots, quats.astype(np.float32))
    bvh = bc.parse_bvh(bvh_text(dancer, 60.0))
    ours = bc.floor_positions_m(bvh)
    ref = dancer.joint_positions()[:, [skel.joints.index(j) for j in bvh.names]]
    assert np.abs(ours - ref).max() < 1e-4  # 0.1 mm: the file keeps 4 decimals


def test_off_floor_frames_finds_the_frame_with_a_joint_past_the_edge() -> None:
    pts = np.zeros((4, 2, 3))
    pts[1, 1, 0] = 5.01  # x past the 10 m wide floor's edge at 5 m
    pts[2, 0, 1] = -4.2  # y past the 8 m deep floor's edge at -4 m
    pts[3, 0, :2] = (5.0, 4.0)  # on the corner: on the floor
    assert bc.off_floor_frames(pts, (10.0, 8.0)).tolist() == [False, True, True, False]


def _step(beat: float, hold: str, dur: float = 1.0) -> dict[str, Any]:
    return {"beat": beat, "duration_beats": dur, "hold": hold}


def _figure(
    dance: str, fid: str, start_s: float, length: float, *, meter: int = 4, ending: bool = False
) -> dict[str, Any]:
    steps = [_step(float(b), "closed") for b in range(int(length))]
    return {
        "dance": dance,
        "start_s": start_s,
        "end_s": start_s + length * 0.5,
        "start_beat": start_s * 2,
        "figure": {
            "id": fid,
            "meter": meter,
            "length_beats": length,
            "ending": ending,
            "leader": steps,
        },
    }


def _routine(figures: list[dict[str, Any]], n_beats: int = 64) -> dict[str, Any]:
    return {
        "beats": [0.5 * i for i in range(n_beats)],  # 120 BPM from t = 0
        "first_downbeat_index": 0,
        "floor_m": [10.0, 8.0],
        "figures": figures,
    }


def test_hold_distances_counts_frames_outside_the_holds_range() -> None:
    times = np.array([0.0, 1.0, 2.0, 3.0])
    holds = ["closed", "closed", "none", "closed"]
    frames = np.array([0.5, 1.0, 1.5, 2.5, 3.5])
    dist = np.array([0.9, 0.3, 2.0, 2.5, 0.7])
    out = bc.hold_distances(times, holds, frames, dist, bc.HOLD_RANGE_M)
    # 0.5 s: 0.9 m between two closed landings, out of closed's 0.2-0.6 m
    # 1.5 s: 2.0 m moving from closed into no hold: fits "none" (0-3 m), the next step's
    # 2.5 s: 2.5 m moving from no hold into closed: fits "none", the step just landed
    # 3.5 s: 0.7 m after the last landing (closed): out of range
    assert out["closed"] == {"frames": 3, "in_range": 1, "max_m": 0.9, "min_m": 0.3}
    assert out["none"] == {"frames": 2, "in_range": 2, "max_m": 2.5, "min_m": 2.0}


def test_hold_distances_admit_the_files_resolution_and_no_more() -> None:
    """A couple the hold put 0.2 m apart reads 0.19995 m from positions given to 0.1 mm:
    in range at the files' resolution; 0.1995 m is not."""
    times = np.array([0.0, 1.0])
    holds = ["left_to_right", "left_to_right"]
    frames = np.array([0.25, 0.5, 0.75])
    dist = np.array([0.19995, 0.1995, 0.2])
    out = bc.hold_distances(times, holds, frames, dist, bc.HOLD_RANGE_M, 2e-4)
    assert out["left_to_right"]["in_range"] == 2
    strict = bc.hold_distances(times, holds, frames, dist, bc.HOLD_RANGE_M)
    assert strict["left_to_right"]["in_range"] == 1


def test_leader_landings_stretch_a_figure_danced_in_half_time() -> None:
    fig = _figure("Rumba", "x", 1.0, 4)
    fig["end_s"] = 1.0 + 4 * 1.0  # 4 figure beats over 8 music beats
    times, holds = bc.leader_landings(_routine([fig]))
    np.testing.assert_allclose(times, [1.0, 2.0, 3.0, 4.0])
    assert holds == ["closed"] * 4


def test_transitions_follow_the_library_and_restart_on_a_start_figure() -> None:
    waltz, tango = find_style("Waltz"), find_style("Tango")
    first = waltz.figure(waltz.start_figures[0])
    legal = successors(waltz, first)[0]
    illegal = next(f for f in waltz.figures if f not in successors(waltz, first))
    tango_start = tango.start_figures[0]
    tango_other = next(f.id for f in tango.figures if f.id not in tango.start_figures)
    library = (waltz, tango)
    figs = [
        _figure("Waltz", first.id, 0.0, 6, meter=3),
        _figure("Waltz", legal.id, 3.0, 6, meter=3),
        _figure("Tango", tango_start, 6.0, 8),  # a new dance: a start figure, legal
    ]
    assert bc.transitions(_routine(figs), library) == (2, [])
    figs[1] = _figure("Waltz", illegal.id, 3.0, 6, meter=3)
    figs[2] = _figure("Tango", tango_other, 6.0, 8)
    total, bad = bc.transitions(_routine(figs), library)
    assert total == 2
    assert bad == [
        f"Waltz {first.id} -> Waltz {illegal.id}",
        f"Waltz {illegal.id} -> Tango {tango_other}",
    ]
    # where the music's bars change meter the couple may start again on a start figure
    before, restart = next(
        (a, b)
        for a in waltz.figures
        for b in waltz.figures
        if b.id in waltz.start_figures and b not in successors(waltz, a)
    )
    figs = [
        _figure("Waltz", before.id, 0.0, 6, meter=3),
        _figure("Waltz", restart.id, 3.0, 6, meter=3),
    ]
    sections = [{"start": 0.0, "meter": 4}, {"start": 3.0, "meter": 3}]
    assert bc.transitions(_routine(figs), library) == (
        1,
        [f"Waltz {before.id} -> Waltz {restart.id}"],
    )
    assert bc.transitions(_routine(figs), library, {"sections": sections}) == (1, [])


def test_phrase_alignment_counts_phrase_starts_that_are_figure_starts() -> None:
    figs = [_figure("Salsa", f"f{i}", 4.0 * i, 8) for i in range(4)]  # beats 0, 8, 16, 24
    music = {"phrases": [{"start": 0.0}, {"start": 4.04}, {"start": 9.0}, {"start": 30.0}]}
    # 0.0 starts a figure; 4.04 is 0.08 beat late (within 0.1); 9.0 is beat 18, no figure
    # starts there; 30.0 is after the last figure ends (16 s): not counted
    assert bc.phrase_alignment(_routine(figs), music, "Salsa", 0.1) == (2, 3)
    assert bc.phrase_alignment(_routine(figs), music, "Salsa", 0.05) == (1, 3)
    assert bc.phrase_alignment(_routine(figs), music, "Rumba", 0.1) == (0, 0)


def test_switch_bars_measures_the_distance_to_the_routines_switch() -> None:
    music = {
        "meter": 4,
        "bpm": 120.0,
        "sections": [
            {"start": 0.0, "end": 8.0, "meter": 4, "bpm": 120.0, "dance": "Rumba"},
            {"start": 8.0, "end": 16.0, "meter": 3, "bpm": 120.0, "dance": "Waltz"},
            {"start": 16.0, "end": 24.0, "meter": 3, "bpm": 120.0, "dance": "Slow Dance"},
        ],
    }
    assert bc.music_changes(music, None) == [8.0, 16.0]
    assert bc.music_changes(music, [4]) == []  # a 4/4-only dance re-counts the 3/4
    assert bc.music_changes(music, [3, 4]) == [8.0]
    figs = [_figure("Rumba", "a", 0.0, 16), _figure("Waltz", "b", 9.5, 6, meter=3)]
    # Waltz -> Slow Dance at 16 s, same meter: the routine keeps the Waltz, no switch due
    assert bc.music_changes(music, None, _routine(figs)) == [8.0]
    figs_sd = [*figs, _figure("Slow Dance", "c", 16.5, 6, meter=3)]
    assert bc.music_changes(music, None, _routine(figs_sd)) == [8.0, 16.0]
    # the switch is 1.5 s late; a 3/4 bar at 120 BPM lasts 1.5 s
    assert bc.switch_bars(_routine(figs), music, [8.0]) == [1.0]
    assert bc.switch_bars(_routine(figs[:1]), music, [8.0]) == [math.inf]


def test_ending_variety_and_tempo_of_a_known_routine() -> None:
    figs = [_figure("Jive", "basic", 2.0 * i, 4) for i in range(3)]
    figs.append(_figure("Jive", "lunge", 6.0, 4, ending=True))
    routine = _routine(figs)
    assert bc.ending(routine, {"duration_s": 10.0}) == (True, 2.0)
    per_min, share, top = bc.variety(routine)
    assert per_min == pytest.approx(2 / (8.0 / 60.0))
    assert share == 0.75 and top == "Jive basic"
    assert bc.danced_mpm(routine, "Jive") == pytest.approx(30.0)  # 1 bar per 2 s
    # a Rumba figure starts on beat 2: its end_s is a beat past its length, not its tempo
    rumba = [_figure("Rumba", "basic", 2.0 * i, 4) for i in range(3)]
    for f in rumba:
        f["end_s"] += 0.5
    assert bc.danced_mpm(_routine(rumba), "Rumba") == pytest.approx(30.0)


def test_nearest_octave() -> None:
    assert bc.nearest_octave(44.0, (25.0, 27.0)) is False  # half time (22) is nearer
    assert bc.nearest_octave(22.0, (25.0, 27.0)) is True
    assert bc.nearest_octave(26.0, (25.0, 27.0)) is True
    assert bc.nearest_octave(100.0, (50.0, 52.0)) is False
    # a near tie: 36 is 28% below 50-52, 72 is 27% above it
    assert bc.nearest_octave(36.0, (50.0, 52.0)) is False
    assert bc.nearest_octave(36.0, (50.0, 52.0), tie_pct=2.0) is True
    assert bc.nearest_octave(30.0, (50.0, 52.0), tie_pct=2.0) is False  # 60 is nearer


GOOD_RECORD: dict[str, Any] = {
    "dance": "Jive", "half": "held-out", "group": "long", "song": "s", "seed": 0,
    "danced": True, "frames": 100, "off_floor": 0,
    "holds": {"closed": {"frames": 100, "in_range": 100, "max_m": 0.5, "min_m": 0.3}},
    "transitions": 5, "illegal": [], "style_danced": True, "octave_ok": True,
    "switch_bars": [0.0], "ending": True, "phrases": 10, "phrase_aligned": 9,
    "top_share": 0.3, "distinct_per_min": 5.0, "end_gap_s": 0.5,
    "plan_s": 0.2, "listen_s": 20.0,
}  # fmt: skip
"""A run that meets every target."""


def test_targets_pass_and_fail_on_known_records() -> None:
    good = dict(GOOD_RECORD)
    settings = bc.BenchSettings()
    agg = bc.aggregate([good], settings)
    assert all(agg["pass"].values())
    assert agg["planning"] == {"plan_s": 0.2, "ratio": 0.01}
    bad = good | {"off_floor": 1, "switch_bars": [1.5], "phrase_aligned": 8, "top_share": 0.4}
    failed = {"dance": "Jive", "half": "held-out", "group": "plain", "seed": 1,
              "song": "t", "danced": False, "why": "not danced: no figure fits"}  # fmt: skip
    agg = bc.aggregate([bad, failed], settings)
    assert agg["not_danced"] == {"not danced: no figure fits": 1}
    p = agg["pass"]
    assert not p["off_floor"] and not p["switch"] and not p["phrases"]
    assert not p["top_share"] and not p["style"] and not p["endings"]
    assert p["in_hold"] and p["legal"] and p["planning"]


def test_write_doc_keeps_the_rest_of_the_file(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# B\n\n<!-- music:start -->\nM\n<!-- music:end -->\n", encoding="utf-8")
    bc.write_doc(f"{bc.MARK_START}\nold\n{bc.MARK_END}\n", doc)
    bc.write_doc(f"{bc.MARK_START}\nnew\n{bc.MARK_END}\n", doc)
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# B\n\n<!-- music:start -->\nM\n<!-- music:end -->\n")
    assert "new" in text and "old" not in text and text.count(bc.MARK_START) == 1


def test_phrase_target_applies_to_dances_that_start_on_1() -> None:
    assert bc._starts_on_1(find_style("Waltz")) is True
    assert bc._starts_on_1(find_style("Rumba")) is False  # figures start on 2 (DANCES.md)


def test_a_song_the_listening_stage_refuses_is_listed_not_counted_against_the_dance() -> None:
    """A song with no beat found is refused before any dance (exit 2, as the issue allows):
    it shows in "danced" and the reasons, not in the style and ending shares."""
    good = dict(GOOD_RECORD)
    refused = {
        "dance": "Jive", "half": "held-out", "group": "shared", "seed": 0, "song": "r",
        "danced": False, "refused": True, "why": "r.ogg: no danceable beat found",
    }  # fmt: skip
    agg = bc.aggregate([good, refused], bc.BenchSettings())
    assert (agg["runs"], agg["danced"]) == (2, 1)
    assert agg["not_danced"] == {"r.ogg: no danceable beat found": 1}
    assert agg["style"] == 1.0 and agg["endings"] == 1.0
