"""The motion stage: steps land on their beats, bodies stay whole, the couple stays together."""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from pasdeux._json import json_pieces
from pasdeux._limits import check_within
from pasdeux._serial import to_jsonable
from pasdeux.capsules import capsule_radii_m
from pasdeux.check import check_performance
from pasdeux.choreo import Routine, choreograph
from pasdeux.dances import load_library
from pasdeux.dances.geometry import CouplePose, replay_figure
from pasdeux.errors import SchemaError
from pasdeux.motion import JOINTS, DancerMotion, MotionParams, Performance, perform
from pasdeux.motion.steps import dancer_tracks, timed_steps
from pasdeux.music import MusicMap
from routines import dance_routine, dip_windows, facing_rad, routine_of

SIDES = {"L": "Left", "R": "Right"}

# Figures that turn a whole turn or more in one go (a spot turn, an underarm turn, a 1 1/4
# turn, travelling spins of 7/8 a step), danced in a row.
TURNING = {
    "Rumba": ("spot_turn_left", "spot_turn_right", "underarm_turn_right"),
    "Cha Cha": ("spot_turn_right", "spot_turn_left"),
    "Slow Dance": ("underarm_turn", "underarm_turn"),
    "Viennese Waltz": ("reverse_turn_corner",),
    "Paso Doble": ("travelling_spins_from_promenade",),
    "Polka": ("natural_turn", "reverse_turn", "underarm_turn"),
}


@pytest.fixture(scope="module")
def routine(truth_music: MusicMap) -> Routine:
    return choreograph(truth_music, seed=4)


@pytest.fixture(scope="module")
def performance(routine: Routine, truth_music: MusicMap) -> Performance:
    return perform(routine, duration_s=truth_music.duration_s)


def test_every_step_lands_on_its_beat(routine: Routine, performance: Performance) -> None:
    tempo = routine.tempo_map
    n_steps = sum(len(p.figure.leader) + len(p.figure.follower) for p in routine.figures)
    assert len(performance.events) == n_steps
    beat_times = np.asarray(routine.beats)
    for event in performance.events:
        assert event.time_s == pytest.approx(tempo.second_from_beat(event.beat), abs=1e-3)
        if float(event.beat).is_integer() and event.time_s <= beat_times[-1]:
            # Whole-beat steps land on a detected beat of the song (after the last beat,
            # on the final chord, the tempo map extends the last beat interval).
            assert np.min(np.abs(beat_times - event.time_s)) < 1e-3


def test_the_stepping_foot_is_planted_where_and_when_the_step_lands(
    performance: Performance,
) -> None:
    # The mark is where the flat foot's ankle stands; a foot landing on its ball (in a
    # rise) has its ball where the flat foot's would be, on the floor, the heel raised.
    for dancer in performance.dancers:
        positions = dancer.joint_positions()
        ankle = {f: dancer.skeleton.index(f"{SIDES[f]}Foot") for f in "LR"}
        ball = {f: dancer.skeleton.index(f"{SIDES[f]}ToeBase") for f in "LR"}
        ball_m = float(np.hypot(*dancer.skeleton.offset("LeftToeBase")[:2]))
        # A flat foot's ankle is as low as an ankle goes (at the start a trailing heel
        # may be up).
        rest_ankle_z = min(positions[:, ankle[f], 2].min() for f in "LR")
        rest_ball_z = positions[0, ball["L"], 2]
        for event in performance.events:
            if event.role != dancer.role:
                continue
            frame = min(round(event.time_s * performance.fps), performance.n_frames - 1)
            xyz = positions[frame, ankle[event.foot]]
            on = positions[frame, ball[event.foot]]
            way = (on - xyz)[:2] / np.linalg.norm((on - xyz)[:2])
            mark = np.array([event.x_m, event.y_m])
            assert on[:2] == pytest.approx(mark + ball_m * way, abs=0.02)
            assert on[2] == pytest.approx(rest_ball_z, abs=0.01)
            assert xyz[2] >= rest_ankle_z - 0.01


def test_bones_keep_their_lengths_and_feet_stay_above_the_floor(
    performance: Performance,
) -> None:
    for dancer in performance.dancers:
        positions = dancer.joint_positions()
        offsets = np.asarray(dancer.skeleton.offsets_m)
        for j, parent in enumerate(dancer.skeleton.parents):
            if parent < 0:
                continue
            lengths = np.linalg.norm(positions[:, j] - positions[:, parent], axis=1)
            assert lengths == pytest.approx(np.linalg.norm(offsets[j]), abs=1e-3)
        assert positions[..., 2].min() > -0.01


def test_partners_stay_in_hold(performance: Performance) -> None:
    leader = performance.dancer("leader").joint_positions()[:, 0, :2]
    follower = performance.dancer("follower").joint_positions()[:, 0, :2]
    distance = np.linalg.norm(leader - follower, axis=1)
    # Closed and embrace holds keep 0.2-0.6 m between pelvises; turns under the arm open
    # the couple up to about arm's length, never more.
    assert distance.max() < 1.3
    assert np.median(distance) == pytest.approx(0.36, abs=0.15)
    assert distance.min() > 0.15


def test_the_dancers_move(performance: Performance) -> None:
    for dancer in performance.dancers:
        feet = dancer.joint_positions()[:, dancer.skeleton.index("LeftFoot"), :2]
        travelled = np.sum(np.linalg.norm(np.diff(feet, axis=0), axis=1))
        assert travelled > 5.0


def test_perform_holds_float32_rotations_posed_in_blocks(routine: Routine) -> None:
    whole = perform(routine, duration_s=12.0, chunk_frames=100_000)
    blocks = perform(routine, duration_s=12.0, chunk_frames=7)
    for a, b in zip(whole.dancers, blocks.dancers, strict=True):
        assert a.rotations.dtype == np.float32 and a.root_positions_m.dtype == np.float64
        np.testing.assert_array_equal(a.rotations, b.rotations)
        np.testing.assert_array_equal(a.root_positions_m, b.root_positions_m)
        assert a.joint_positions(np.float32).dtype == np.float32


def _assert_same_motion(a: Performance, b: Performance) -> None:
    assert b.n_frames == a.n_frames and b.fps == a.fps and b.events == a.events
    for x, y in zip(a.dancers, b.dancers, strict=True):
        assert (y.role, y.height_m, y.skeleton) == (x.role, x.height_m, x.skeleton)
        assert y.rotations.dtype == np.float32 and y.root_positions_m.dtype == np.float64
        np.testing.assert_array_equal(y.rotations, x.rotations)
        np.testing.assert_array_equal(y.root_positions_m, x.root_positions_m)


def test_performance_json_round_trip(performance: Performance, tmp_path: Path) -> None:
    again = Performance.from_dict(performance.to_dict())
    assert again.to_dict() == performance.to_dict()
    _assert_same_motion(performance, again)
    path = tmp_path / "performance.json"
    performance.save(path)
    assert path.read_text(encoding="utf-8") == performance.to_json()
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["schema"] == 2
    packed = data["dancers"][0]["rotations"]
    assert (packed["dtype"], packed["encoding"]) == ("<f4", "zlib+base64")
    assert packed["shape"] == [performance.n_frames, len(JOINTS), 4]
    _assert_same_motion(performance, Performance.load(path))
    assert [p.name for p in tmp_path.iterdir()] == ["performance.json"]


def test_performance_json_is_written_in_pieces(performance: Performance) -> None:
    """The arrays are compressed and encoded a piece at a time, never as one string."""
    pieces = list(json_pieces(to_jsonable(performance, array=lambda a: a)))
    assert "".join(pieces) == performance.to_json()
    rotations = performance.to_dict()["dancers"][0]["rotations"]["data"]
    assert max(len(p) for p in pieces) < len(rotations) / 2


def test_a_broken_performance_json_is_a_schema_error(
    performance: Performance, tmp_path: Path
) -> None:
    path = tmp_path / "performance.json"
    good = performance.to_dict()
    old = dict(good, schema=1)
    packed = good["dancers"][0]["rotations"]
    cases = [
        ("schema 1 is not supported", old),
        ("not valid zlib", _with_rotations(good, dict(packed, data="AAAA" + packed["data"][4:]))),
        ("does not hold shape", _with_rotations(good, dict(packed, data=packed["data"][:-8]))),
        ("does not hold shape", _with_rotations(good, dict(packed, shape=[3, len(JOINTS), 4]))),
        ("unsupported dtype", _with_rotations(good, dict(packed, dtype="<u8"))),
        ("expected a packed array", _with_rotations(good, {"dtype": "<f4"})),
    ]
    for message, data in cases:
        path.write_text(json.dumps(data), encoding="utf-8")
        with pytest.raises(SchemaError, match=message):
            Performance.load(path)


def _with_rotations(data: dict[str, Any], rotations: object) -> dict[str, Any]:
    dancers = [dict(data["dancers"][0], rotations=rotations), *data["dancers"][1:]]
    return dict(data, dancers=dancers)


@pytest.fixture(scope="module")
def turning() -> dict[str, tuple[Routine, Performance]]:
    out = {}
    for dance, figure_ids in TURNING.items():
        routine = routine_of(dance, figure_ids)
        out[dance] = routine, perform(routine)
    return out


def _landing_frames(performance: Performance, role: str, figure_index: int) -> list[int]:
    return [
        min(round(e.time_s * performance.fps), performance.n_frames - 1)
        for e in performance.events
        if e.role == role and e.figure_index == figure_index
    ]


def test_turns_turn_as_far_as_declared_and_one_way(
    turning: dict[str, tuple[Routine, Performance]],
) -> None:
    """Each figure's performed turn (the root's facing, unwrapped) is the sum of its steps'
    declared turns, and a turning step never turns back the other way on the way."""
    for dance, (routine, performance) in turning.items():
        for dancer in performance.dancers:
            facing = np.degrees(facing_rad(dancer))
            start = 0
            for k, placed in enumerate(routine.figures):
                steps = placed.figure.leader if dancer.role == "leader" else placed.figure.follower
                lands = _landing_frames(performance, dancer.role, k)
                declared = -45.0 * sum(s.turn_eighths for s in steps)
                got = facing[lands[-1]] - facing[start]
                assert got == pytest.approx(declared, abs=10.0), (dance, k, dancer.role)
                for step, a, b in zip(steps, [start, *lands], lands, strict=False):
                    sign = -np.sign(step.turn_eighths)
                    way = sign * (facing[a : b + 1] - facing[a])
                    back = np.max(np.maximum.accumulate(way) - way)
                    assert back < 3.0, (dance, k, dancer.role, step.beat)
                start = lands[-1]


def test_a_pivot_turns_about_the_ball_of_the_standing_foot(
    turning: dict[str, tuple[Routine, Performance]],
) -> None:
    """While the body turns over a standing foot, the ball of that foot (the toe joint)
    stays where it is and the heel is raised: the foot turns on its ball rather than the
    toe sweeping round the heel."""
    checked = 0
    for dance, (_, performance) in turning.items():
        for dancer in performance.dancers:
            positions = dancer.joint_positions()
            facing = np.degrees(facing_rad(dancer))
            events = [e for e in performance.events if e.role == dancer.role]
            for before, event in itertools.pairwise(events):
                if not before.weight or before.foot == event.foot:
                    continue
                # Every frame of the support: from the first at or after its landing to
                # the last at or before the other foot's.
                a = math.ceil(before.time_s * performance.fps - 1e-6)
                b = math.floor(event.time_s * performance.fps + 1e-6)
                if b <= a or abs(facing[b] - facing[a]) < 60.0:
                    continue
                ball = positions[a : b + 1, dancer.skeleton.index(f"{SIDES[before.foot]}ToeBase")]
                slide = np.ptp(ball[:, :2], axis=0)
                assert np.hypot(*slide) < 0.01, (dance, dancer.role, event.time_s)
                # ... standing on it: the heel is off the floor half way round.
                heel = positions[:, dancer.skeleton.index(f"{SIDES[before.foot]}Foot"), 2]
                assert heel[(a + b) // 2] > heel[0] + 0.02, (dance, dancer.role, event.time_s)
                checked += 1
    assert checked >= 10


# Figures whose quick steps travel far or swivel (a foot lifting before the other had
# landed slid its standing foot up to 69 cm), danced at the top of their tempo.
QUICK = {
    "Jive": (("change_of_places_right_to_left", "change_of_places_left_to_right",
              "change_of_hands_behind_back"), 176.0),
    "Cha Cha": (("spot_turn_right", "underarm_turn_right", "spot_turn_left"), 128.0),
    "Viennese Waltz": (("natural_turn", "reverse_turn_corner"), 180.0),
    "Polka": (("natural_turn", "reverse_turn", "to_promenade", "to_closed"), 128.0),
}  # fmt: skip


@pytest.mark.parametrize("dance", sorted(QUICK))
def test_a_standing_foot_stays_planted_until_the_other_foot_has_landed(dance: str) -> None:
    """Over every frame of every support (a step with weight, until the dancer's next
    step of the other foot lands) the heel or the ball of the standing foot stays within
    5 mm of where it was: the foot bearing the weight neither lifts early (a hop off a
    standing foot) nor slides while it pivots."""
    figure_ids, bpm = QUICK[dance]
    performance = perform(routine_of(dance, figure_ids, bpm=bpm))
    fps = performance.fps
    checked = 0
    for dancer in performance.dancers:
        positions = dancer.joint_positions()
        events = [e for e in performance.events if e.role == dancer.role]
        for before, event in itertools.pairwise(events):
            if not before.weight or before.foot == event.foot:
                continue
            a = math.ceil(before.time_s * fps - 1e-6)
            b = math.floor(event.time_s * fps + 1e-6)
            side = "Left" if before.foot == "L" else "Right"
            slides = []
            for joint in (f"{side}Foot", f"{side}ToeBase"):
                track = positions[a : b + 1, dancer.skeleton.index(joint), :2]
                slides.append(float(np.max(np.linalg.norm(track - track[0], axis=1))))
            assert min(slides) < 0.005, (dance, dancer.role, before.time_s, slides)
            checked += 1
    assert checked >= 20


def test_a_stepping_foot_is_placed_on_its_beat_not_crept_onto_its_mark() -> None:
    """A slow step (a Rumba walk at 100 beats a minute, the foot in the air for most of a
    beat) still travels faster than 8 cm/s into the frame before its landing (a foot eased
    in as gently as it leaves crept onto its mark at 5 cm/s, seen still early), and is on
    its mark from the landing's frame."""
    routine = routine_of("Rumba", ("closed_basic", "closed_basic"))
    performance = perform(routine)
    fps = performance.fps
    timed = 0
    for dancer in performance.dancers:
        positions = dancer.joint_positions()
        for e in (x for x in performance.events if x.role == dancer.role):
            side = "Left" if e.foot == "L" else "Right"
            ball = positions[:, dancer.skeleton.index(f"{side}ToeBase"), :2]
            land = math.ceil(e.time_s * fps - 1e-6)
            mark = ball[land]
            way = float(np.linalg.norm(ball[land - 20] - mark))
            if way < 0.05:
                continue  # a weight change in place: nothing travels
            assert np.linalg.norm(ball[land + 1] - mark) < 1e-3, (dancer.role, e.time_s)
            speed = float(np.linalg.norm(ball[land - 1] - ball[land - 2])) * fps
            assert speed > 0.08, (dancer.role, e.time_s, speed)
            timed += 1
    assert timed >= 6


def test_a_weight_change_in_place_leaves_the_foot_where_it_stands() -> None:
    """The Slow Dance's sway replaces the weight onto the foot that stayed: that foot
    neither lifts nor moves over the replace (it used to creep a few centimetres back to
    the plan's mark, lifted, for two beats), and its event says where it stands."""
    routine = routine_of("Slow Dance", ("sway", "sway"), bpm=60.0)
    performance = perform(routine)
    fps = performance.fps
    checked = 0
    for dancer in performance.dancers:
        positions = dancer.joint_positions()
        events = [e for e in performance.events if e.role == dancer.role]
        rest_z = positions[0, dancer.skeleton.index("LeftFoot"), 2]
        for before, event in itertools.pairwise(events):
            figure = routine.figures[event.figure_index].figure
            step = (figure.leader if dancer.role == "leader" else figure.follower)[event.step_index]
            if step.direction != "replace" or step.turn_eighths:
                continue
            side = "Left" if event.foot == "L" else "Right"
            ankle = positions[:, dancer.skeleton.index(f"{side}Foot")]
            a = math.ceil(before.time_s * fps - 1e-6)
            b = math.ceil(event.time_s * fps - 1e-6)
            moved = np.linalg.norm(ankle[a : b + 1, :2] - ankle[b, :2], axis=1)
            assert moved.max() < 1e-3, (dancer.role, event.time_s)
            assert np.abs(ankle[a : b + 1, 2] - rest_z).max() < 2e-3, (dancer.role, event.time_s)
            assert np.hypot(event.x_m - ankle[b, 0], event.y_m - ankle[b, 1]) < 1e-3
            checked += 1
    assert checked >= 4


def _assert_continuous(dancer: DancerMotion) -> None:
    q = dancer.rotations.astype(float)
    dots = np.sum(q[1:] * q[:-1], axis=-1)
    assert dots.min() > 0.0, dancer.role


def test_rotations_are_continuous_quaternions(
    turning: dict[str, tuple[Routine, Performance]], performance: Performance
) -> None:
    """No quaternion changes sign between frames (q and -q are the same rotation, and a
    player interpolating between them would spin the long way round)."""
    for _, turned in turning.values():
        for dancer in turned.dancers:
            _assert_continuous(dancer)
    for dancer in performance.dancers:
        _assert_continuous(dancer)


def _knee_bend_deg(positions: np.ndarray, dancer: DancerMotion, side: str) -> np.ndarray:
    """Knee flexion (0 = straight), negative where the knee bends backwards."""
    ix = dancer.skeleton.index
    name = {"l": "Left", "r": "Right"}[side]
    hip, knee, ankle = (positions[:, ix(name + j)] for j in ("UpLeg", "Leg", "Foot"))
    thigh, shin = knee - hip, ankle - knee
    cos = (
        np.sum(thigh * shin, axis=1) / np.linalg.norm(thigh, axis=1) / np.linalg.norm(shin, axis=1)
    )
    bend = np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))
    # Bent forward, thigh x shin points to the dancer's left (the knee ahead of the line
    # from hip to ankle); to the right it bends backwards.
    pelvis = Rotation.from_quat(dancer.rotations[:, 0].astype(float))
    right = pelvis.apply([1.0, 0.0, 0.0])
    side_sign = np.sign(np.sum(np.cross(thigh, shin) * right, axis=1))
    return np.asarray(np.where((side_sign > 0) & (bend > 1.0), -bend, bend))


@pytest.mark.slow
def test_every_dance_moves_like_a_body_that_can_exist() -> None:
    """Over a routine of every dance: the pelvis stays above 60% of its standing height
    outside declared dips and lunges, knees bend forward and at most 150 degrees, and no
    joint (end sites, the bones' tips, aside) moves faster than 10 m/s between two frames."""
    problems: list[tuple[object, ...]] = []
    for style in load_library():
        routine = dance_routine(style)
        performance = perform(routine)
        times = np.arange(performance.n_frames) / performance.fps
        outside_dips = np.ones(performance.n_frames, dtype=bool)
        for start, end in dip_windows(routine):
            outside_dips &= (times < start) | (times > end)
        for dancer in performance.dancers:
            where = (style.name, dancer.role)
            positions = dancer.joint_positions()
            standing = dancer.skeleton.offsets_m[0][2]
            lowest = positions[outside_dips, 0, 2].min() / standing
            if lowest < 0.6:
                problems.append((*where, "pelvis at", round(lowest, 2)))
            for side in "lr":
                bend = _knee_bend_deg(positions, dancer, side)
                if bend.min() < -1.0 or bend.max() > 150.0:
                    problems.append((*where, side, "knee", round(bend.min()), round(bend.max())))
            joints = list(dancer.skeleton.real_joints)  # not the end sites
            speed = np.linalg.norm(np.diff(positions[:, joints], axis=0), axis=2) * performance.fps
            if speed.max() > 10.0:
                problems.append((*where, "m/s", round(float(speed.max()), 1)))
    assert not problems, problems


@pytest.mark.parametrize(
    "change",
    [
        {"max_turn_rad_s": 0.0},
        {"max_body_speed_m_s": -1.0},
        {"elbow_follow_s": 0.0},
        {"contact_reach_m": 0.0},
        {"swing_lift_m": -0.01},
        {"contact_clearance_m": -0.01},
        {"contact_spread_s": -0.1},
        {"support_back_share": 1.5},
        {"promenade_foot_turn_deg": 120.0},
        {"capsule_radii_m": {"hips": 0.09}},
        {"capsule_radii_m": {**capsule_radii_m(), "l_thigh": 0.0}},
    ],
)
def test_motion_params_out_of_range_are_refused(change: dict[str, object]) -> None:
    name = next(iter(change))
    with pytest.raises(ValueError, match=name):
        MotionParams(**change)  # type: ignore[arg-type]


def test_motion_params_are_checked_and_change_the_motion() -> None:
    """The tunables refuse impossible values and are used: a higher floor for the pelvis
    keeps it higher in a dance whose strides lower it (the Slow Foxtrot)."""
    with pytest.raises(ValueError, match="min_pelvis_height_share"):
        MotionParams(min_pelvis_height_share=1.5)
    with pytest.raises(ValueError, match="knee_max_bend_deg"):
        MotionParams(knee_max_bend_deg=200.0)
    with pytest.raises(ValueError, match="feet_shift_max_m"):
        MotionParams(feet_shift_max_m=-0.1)
    with pytest.raises(ValueError, match="heel_release_weight_max"):
        MotionParams(heel_release_weight_max=0.0)
    with pytest.raises(ValueError, match="heel_release_max_deg"):
        MotionParams(heel_release_max_deg=95.0)
    with pytest.raises(TypeError):
        MotionParams(0.5)  # type: ignore[call-arg]
    routine = dance_routine(next(s for s in load_library() if s.name == "Slow Foxtrot"), 20.0)
    lowest = {}
    for share in (0.6, 0.85):
        performance = perform(routine, params=MotionParams(min_pelvis_height_share=share))
        dancer = performance.dancer("follower")
        lowest[share] = dancer.root_positions_m[:, 2].min() / dancer.skeleton.offsets_m[0][2]
    assert lowest[0.6] < 0.8
    assert lowest[0.85] >= 0.85 - 1e-3


def _promenade_landings(routine: Routine) -> list[tuple[float, str, str]]:
    """(time, leader's foot, follower's foot) of every beat both land a step in promenade."""
    out = []
    for placed in routine.figures:
        steps = replay_figure(placed.figure, *placed.start_pose.dancers())
        by_beat: dict[float, dict[str, str]] = {}
        for rs in steps:
            if rs.step.position == "promenade" and rs.step.weight:
                by_beat.setdefault(rs.step.beat, {})[rs.role] = rs.step.foot
        for beat, feet in by_beat.items():
            if len(feet) == 2:
                t = routine.tempo_map.second_from_beat(placed.start_beat + beat)
                out.append((t, feet["leader"], feet["follower"]))
    return out


def test_in_promenade_the_feet_point_along_the_couples_travel() -> None:
    """In promenade the partners face a quarter turn apart and travel the way between
    them: a foot landing there points half way, so his foot and hers landing together are
    parallel (his turned to his left of his facing, hers to her right) instead of their
    toes crossing in the V. Without the turn (0 deg) they point a quarter turn apart."""
    routine = routine_of("Waltz", ("whisk", "chasse_from_pp"))
    landings = _promenade_landings(routine)
    assert len(landings) >= 2
    for turn_deg, apart_deg in ((45.0, 0.0), (0.0, 90.0)):
        params = MotionParams(promenade_foot_turn_deg=turn_deg)
        performance = perform(routine, params=params)
        ways = {}
        for dancer in performance.dancers:
            pos = dancer.joint_positions()
            ix = dancer.skeleton.index
            ways[dancer.role] = {
                foot: pos[:, ix(f"{side}ToeBase"), :2] - pos[:, ix(f"{side}Foot"), :2]
                for foot, side in SIDES.items()
            }
        for t, his, hers in landings:
            frame = round((t + 0.1) * performance.fps)
            a, b = ways["leader"][his][frame], ways["follower"][hers][frame]
            cos = float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))
            angle = math.degrees(math.acos(min(1.0, max(-1.0, cos))))
            assert angle == pytest.approx(apart_deg, abs=12.0), (turn_deg, t)


def test_a_foot_hardly_off_the_floor_moves_evenly() -> None:
    """The quick 'a' steps of the Jive's chassés at 176 beats a minute leave a foot only a
    moment in the air: it moves evenly (``swing_even_s``), so its fastest speed there is
    lower than where every foot is placed decisively (``swing_even_s`` tiny)."""
    routine = routine_of(
        "Jive", ["change_of_places_right_to_left", "change_of_places_left_to_right"], bpm=176.0
    )

    def fastest_quick_step(params: MotionParams) -> float:
        performance = perform(routine, params=params)
        fastest = 0.0
        for dancer in performance.dancers:
            pos = dancer.joint_positions()
            events = [e for e in performance.events if e.role == dancer.role]
            for before, event in itertools.pairwise(events):
                if event.time_s - before.time_s > 0.12:
                    continue
                a, b = (round(t * performance.fps) for t in (before.time_s, event.time_s))
                ankle = pos[a : b + 1, dancer.skeleton.index(f"{SIDES[event.foot]}Foot")]
                step = np.linalg.norm(np.diff(ankle, axis=0), axis=1)
                fastest = max(fastest, float(step.max(initial=0.0)) * performance.fps)
        return fastest

    # (no foot held under ``swing_peak_speed_m_s``, which places a fast foot evenly
    # whatever ``swing_even_s``: test_a_fast_foot_is_placed_only_as_decisively_as_its_peak_allows)
    even = fastest_quick_step(MotionParams(swing_peak_speed_m_s=100.0))
    decisive = fastest_quick_step(MotionParams(swing_peak_speed_m_s=100.0, swing_even_s=1e-3))
    assert decisive > 0.5
    assert even < 0.96 * decisive, (even, decisive)


def test_a_hop_leaves_the_floor_and_lands_on_its_beat() -> None:
    """The Polka's hop before 1: both feet and the pelvis leave the floor (the hopping foot
    and the pelvis up by about ``hop_height_m``, the free foot lifted), and the hopping
    foot comes down on its beat where it took off, with the weight on it."""
    routine = routine_of("Polka", ("basic", "natural_turn", "basic"), bpm=120.0)
    params = MotionParams()
    performance = perform(routine, params=params)
    fps = performance.fps
    hops = 0
    for dancer in performance.dancers:
        positions = dancer.joint_positions()
        skel = dancer.skeleton
        events = [e for e in performance.events if e.role == dancer.role]
        for before, hop in itertools.pairwise(events):
            step = routine.figures[hop.figure_index].figure
            steps = step.leader if dancer.role == "leader" else step.follower
            if steps[hop.step_index].action != "hop":
                continue
            assert hop.foot == before.foot and hop.weight
            side, other = SIDES[hop.foot], SIDES["R" if hop.foot == "L" else "L"]
            took_off = math.ceil(before.time_s * fps)
            land = math.ceil(hop.time_s * fps - 1e-6)
            hips = positions[:, skel.index("Hips"), 2]
            peak = took_off + int(np.argmax(hips[took_off:land]))
            assert hips[peak] - hips[land] > 0.7 * params.hop_height_m, (dancer.role, hop.time_s)
            for joint in (f"{side}Foot", f"{side}ToeBase", f"{other}Foot", f"{other}ToeBase"):
                track = positions[:, skel.index(joint), 2]
                lifted = float(track[peak] - track[took_off])  # both feet were down then
                assert lifted > 0.02, (dancer.role, hop.time_s, joint, lifted)
            ball = positions[:, skel.index(f"{side}ToeBase")]
            assert np.linalg.norm(ball[land, :2] - ball[took_off, :2]) < 0.01
            assert np.linalg.norm(ball[land + 1] - ball[land]) < 2e-3  # down on the beat
            hops += 1
    assert hops == 2 * 6


@pytest.mark.parametrize(
    ("value", "low", "high", "opens", "refused"),
    [
        (0.0, 0.0, math.inf, (True, False), "positive"),
        (-1.0, 0.0, math.inf, (False, False), "not negative"),
        (0.5, 1.0, math.inf, (False, False), "at least 1"),
        (1.0, 0.0, 1.0, (False, True), r"within \[0, 1\)"),
        (2.0, 0.0, 1.0, (False, False), "within 0-1"),
        (math.nan, 0.0, 1.0, (False, False), "within 0-1"),
    ],
)
def test_check_within_refuses_what_is_outside_and_says_the_range(
    value: float, low: float, high: float, opens: tuple[bool, bool], refused: str
) -> None:
    fine = low + 0.5 if math.isinf(high) else (low + high) / 2
    owner = type("Owner", (), {"size_m": value, "fine_m": fine})()
    check_within(owner, ("fine_m",), low, high, low_open=opens[0], high_open=opens[1])
    with pytest.raises(ValueError, match=f"size_m must be {refused}, got"):
        check_within(owner, ("fine_m", "size_m"), low, high, low_open=opens[0], high_open=opens[1])


def test_a_fast_foot_is_placed_only_as_decisively_as_its_peak_allows() -> None:
    """A foot placed decisively (``smoothstep(u ** 1.5)``) peaks at 1.83 times its average
    speed, evenly (power 1) at 1.5 times. One step of a Rumba basic given less and less
    time in the air: at 3 m/s on average it peaks at 1.83 times that (5.5 m/s, under
    ``swing_peak_speed_m_s`` 7); at 4.2 m/s it would peak at 7.7, so it is placed less
    decisively and peaks at 7; at 6 m/s even evenly it peaks over 7, at 1.5 times (9)."""
    routine = routine_of("Rumba", ["closed_basic"], bpm=100.0)
    # (every foot placed decisively however short its time in the air)
    params = MotionParams(swing_even_s=1e-3)
    timed = timed_steps(routine, params)["leader"]
    step = next(s for s in timed if math.dist(s.replayed.foot_from, s.replayed.foot_to) > 0.1)
    way = math.dist(step.replayed.foot_from, step.replayed.foot_to)
    assert step.replayed.step.turn_eighths == 0  # (a straight way: its length is ``way``)
    times = np.arange(0.0, step.t_land + 1.0, 1.0 / 600.0)
    start = routine.figures[0].start_pose.dancers()[0]

    def peak_m_s(mean_m_s: float) -> float:
        air_s = way / mean_m_s
        hurried = replace(step, t_lift=step.t_land - air_s, t_turn=step.t_land - air_s)
        track = dancer_tracks([hurried], start, times, params, 0.14).feet[step.replayed.step.foot]
        return float(np.linalg.norm(np.diff(track[:, :2], axis=0), axis=1).max()) * 600.0

    assert peak_m_s(3.0) == pytest.approx(1.83 * 3.0, abs=0.08)
    assert peak_m_s(4.2) == pytest.approx(params.swing_peak_speed_m_s, abs=0.08)
    assert peak_m_s(6.0) == pytest.approx(1.5 * 6.0, abs=0.08)


def test_a_figures_turn_begins_once_the_figure_before_has_ended() -> None:
    """The Polka's first step of a figure leaves while the figure before ends on its hop
    (the foot free through a hop may go as soon as the hopping foot had the weight), but
    the body's turn of that step, and any turn of a couple placed afresh, begins only at
    the hop's landing: what the dancer turns before it belongs to the figure before
    (``pasdeux check`` ends a figure's turn at its last landing)."""
    routine = routine_of("Polka", ("basic", "natural_turn", "basic"), bpm=120.0)
    early = 0
    for role, timed in timed_steps(routine, MotionParams()).items():
        for before, step in itertools.pairwise(timed):
            if step.figure_index == before.figure_index:
                continue
            assert step.t_turn >= before.t_land - 1e-9, (role, step.t_land)
            assert step.t_turn <= step.t_land
            early += step.t_lift < before.t_land
    assert early > 0  # the case: a figure's first foot in the air before the hop lands


def test_a_couple_placed_afresh_turns_into_it_no_faster_than_the_placement_turn_speed() -> None:
    """Two Polka basics at 120 bpm, the second placed a quarter turn round: the first's
    last step lands a quarter of a beat (0.125 s) before the second's first, too short a
    time for a quarter turn. Turning it all before that landing, the bodies peak at 1.5 x
    (pi / 2) / 0.125 s = 18.8 rad/s; with the default ``placement_turn_rad_s`` (6 rad/s on
    average) they go on turning after it and peak at 1.5 x 6 = 9 rad/s, and the check
    still finds every figure turned as declared."""
    plain = routine_of("Polka", ("basic", "basic"), bpm=120.0)
    second = plain.figures[1]
    turned = CouplePose.standing(
        second.start_pose.centre_xy_m,
        second.start_pose.leader.facing_rad + math.pi / 2,
        second.figure.start_position,
    )
    figures = (plain.figures[0], replace(second, start_pose=turned))
    routine = replace(plain, figures=figures)
    params = MotionParams()
    for rate, (low, high) in ((1000.0, (17.0, 20.0)), (params.placement_turn_rad_s, (8.5, 9.5))):
        performance = perform(routine, params=replace(params, placement_turn_rad_s=rate))
        for dancer in performance.dancers:
            facing = facing_rad(dancer)
            peak = float(np.abs(np.diff(facing)).max()) * performance.fps
            assert low < peak < high
            assert math.degrees(facing[-1] - facing[0]) == pytest.approx(90.0, abs=1.0)
        assert max(t.error_deg for t in check_performance(routine, performance).turns) < 1.0
