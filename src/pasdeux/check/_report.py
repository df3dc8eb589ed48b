"""The report of ``pasdeux check``: typed values, their JSON, their table."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

from pasdeux._json import finite_json
from pasdeux.check._params import CheckTargets

__all__ = ["CheckReport", "DancerCheck", "FigureTurn", "report_table", "verdicts"]


@dataclass(frozen=True)
class DancerCheck:
    """The figures of one dancer (metres, seconds, milliseconds, degrees as named)."""

    role: str
    supports: int
    supports_sliding: int
    support_slide_max_m: float
    support_slide_p99_m: float
    skating_ratio: float
    lodge_skating_ratio: float
    edge_pfc: float
    contact_share: float
    steps_timed: int
    step_error_mean_ms: float | None
    step_error_max_ms: float | None
    beat_align_score: float | None
    bone_drift_max_m: float
    joint_speed_max_m_s: float
    joint_speed_max_joint: str
    joint_speed_max_at_s: float
    euler_flip_frames: int | None
    pelvis_min_share: float
    pelvis_min_at_s: float
    heel_rise_max_m: float
    heel_up_share: float
    hip_tilt_range_deg: float
    spine_twist_range_deg: float
    head_turn_range_deg: float
    head_turn_max_deg: float

    @property
    def supports_sliding_share(self) -> float:
        """Share of supports sliding more than ``CheckParams.support_slide_m``."""
        return self.supports_sliding / self.supports if self.supports else 0.0


@dataclass(frozen=True)
class FigureTurn:
    """One dancer's turn over one figure: performed (the change of the body's facing,
    unwrapped) and declared (the sum of the role's steps' ``turn_eighths`` x 45), clockwise
    positive, in degrees."""

    role: str
    index: int
    dance: str
    figure: str
    declared_deg: float
    performed_deg: float

    @property
    def error_deg(self) -> float:
        """``|performed - declared|``."""
        return abs(self.performed_deg - self.declared_deg)


@dataclass(frozen=True)
class CheckReport:
    """Everything ``pasdeux check`` measures on one written performance."""

    folder: str
    fps: float
    n_frames: int
    duration_s: float
    dancers: tuple[DancerCheck, ...]
    turns: tuple[FigureTurn, ...]
    joined_frames: int
    joined_hand_mean_m: float | None
    joined_hand_p99_m: float | None
    joined_within_share: float | None
    interpenetration_frames: int
    interpenetration_pairs: tuple[tuple[str, int], ...]
    interpenetration_depth_max_m: float = 0.0

    @property
    def turn_error_max_deg(self) -> float:
        """The largest figure turn error (0 with no figure)."""
        return max((t.error_deg for t in self.turns), default=0.0)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (with the derived shares and errors)."""
        data = dataclasses.asdict(self)
        for d, dancer in zip(data["dancers"], self.dancers, strict=True):
            d["supports_sliding_share"] = dancer.supports_sliding_share
        for t, turn in zip(data["turns"], self.turns, strict=True):
            t["error_deg"] = turn.error_deg
        data["turn_error_max_deg"] = self.turn_error_max_deg
        data["interpenetration_pairs"] = [list(p) for p in self.interpenetration_pairs]
        return {"kind": "check", "schema": 1, **data}

    def to_json(self) -> str:
        """The report as one JSON object (NaN as null)."""
        return json.dumps(finite_json(self.to_dict()), indent=1, allow_nan=False)


def verdicts(report: CheckReport, targets: CheckTargets | None = None) -> dict[str, bool | None]:
    """Each target of issue 10 met (True), missed (False) or not measurable (None)."""
    t = targets or CheckTargets()
    ds = report.dancers
    errors = [d.step_error_mean_ms for d in ds if d.step_error_mean_ms is not None]
    flips = [d.euler_flip_frames for d in ds if d.euler_flip_frames is not None]
    within = report.joined_within_share
    return {
        "supports_sliding": all(
            d.supports_sliding_share <= t.supports_sliding_share_max for d in ds
        ),
        "step_on_beat": all(e <= t.step_error_mean_ms_max for e in errors) if errors else None,
        "interpenetration": report.interpenetration_frames <= t.interpenetration_frames_max,
        "joined_hands": None if within is None else within >= t.joined_within_share_min,
        "turns": report.turn_error_max_deg <= t.turn_error_deg_max,
        "pelvis_height": all(d.pelvis_min_share >= t.pelvis_share_min for d in ds),
        "joint_speed": all(d.joint_speed_max_m_s <= t.joint_speed_m_s_max for d in ds),
        "euler_flips": all(f <= t.euler_flip_frames_max for f in flips) if flips else None,
        "bone_drift": all(d.bone_drift_max_m < t.bone_drift_m_max for d in ds),
    }


def _v(x: float | None, fmt: str) -> str:
    return "-" if x is None else format(x, fmt)


def report_table(report: CheckReport, targets: CheckTargets | None = None) -> str:
    """A readable table of the report (one column per dancer), with the targets' verdicts."""
    rows: list[tuple[str, list[str]]] = [
        ("supports sliding > 1 cm", [f"{d.supports_sliding}/{d.supports}" for d in report.dancers]),
        ("support slide max / p99 (cm)", [
            f"{100 * d.support_slide_max_m:.2f} / {100 * d.support_slide_p99_m:.2f}"
            for d in report.dancers
        ]),
        ("skating ratio (literature)", [f"{d.skating_ratio:.3f}" for d in report.dancers]),
        ("skating ratio (Lodge)", [f"{d.lodge_skating_ratio:.3f}" for d in report.dancers]),
        ("PFC (EDGE)", [f"{d.edge_pfc:.3f}" for d in report.dancers]),
        ("foot contact share", [f"{d.contact_share:.2f}" for d in report.dancers]),
        ("step-on-beat mean / max (ms)", [
            f"{_v(d.step_error_mean_ms, '.1f')} / {_v(d.step_error_max_ms, '.1f')}"
            for d in report.dancers
        ]),
        ("Beat Align Score (Bailando)", [_v(d.beat_align_score, ".3f") for d in report.dancers]),
        ("bone-length drift max (mm)", [
            f"{1000 * d.bone_drift_max_m:.3f}" for d in report.dancers
        ]),
        ("largest joint speed (m/s)", [
            f"{d.joint_speed_max_m_s:.1f} {d.joint_speed_max_joint} @{d.joint_speed_max_at_s:.2f}s"
            for d in report.dancers
        ]),
        ("Euler flip frames", [_v(d.euler_flip_frames, "d") for d in report.dancers]),
        ("pelvis min / standing", [
            f"{d.pelvis_min_share:.2f} @{d.pelvis_min_at_s:.2f}s" for d in report.dancers
        ]),
        ("standing heel rise max (cm) / up", [
            f"{100 * d.heel_rise_max_m:.1f} / {100 * d.heel_up_share:.0f}%"
            for d in report.dancers
        ]),
        ("hip tilt range (deg)", [f"{d.hip_tilt_range_deg:.1f}" for d in report.dancers]),
        ("spine twist range (deg)", [f"{d.spine_twist_range_deg:.1f}" for d in report.dancers]),
        ("head turn range / largest (deg)", [
            f"{d.head_turn_range_deg:.1f} / {d.head_turn_max_deg:.1f}" for d in report.dancers
        ]),
    ]  # fmt: skip
    width = max(len(name) for name, _ in rows)
    lines = [f"{'':{width}}  " + "  ".join(f"{d.role:>26}" for d in report.dancers)]
    lines += [f"{name:{width}}  " + "  ".join(f"{c:>26}" for c in cells) for name, cells in rows]
    mean, p99 = report.joined_hand_mean_m, report.joined_hand_p99_m
    lines.append(
        f"joined hands: {report.joined_frames} frames, mean "
        f"{_v(None if mean is None else 100 * mean, '.1f')} cm, p99 "
        f"{_v(None if p99 is None else 100 * p99, '.1f')} cm, within 3 cm "
        f"{_v(report.joined_within_share, '.3f')}"
    )
    pairs = ", ".join(f"{name} {n}" for name, n in report.interpenetration_pairs[:3])
    lines.append(
        f"interpenetration: {report.interpenetration_frames} frames, deepest "
        f"{100 * report.interpenetration_depth_max_m:.1f} cm beyond contact"
        + (f" ({pairs})" if pairs else "")
    )
    worst = sorted(report.turns, key=lambda t: -t.error_deg)[:3]
    lines.append(
        f"turns: {len(report.turns)} figures, worst "
        + ", ".join(
            f"{t.role} #{t.index} {t.figure} {t.performed_deg:.0f} vs {t.declared_deg:.0f} deg"
            for t in worst
        )
    )
    verdict = verdicts(report, targets)
    lines.append(
        "targets: "
        + ", ".join(
            f"{k} {'-' if v is None else 'PASS' if v else 'FAIL'}" for k, v in verdict.items()
        )
    )
    return "\n".join(lines)
