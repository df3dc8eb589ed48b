"""The check's tunables and the issue's targets, each in one frozen dataclass."""

from __future__ import annotations

from dataclasses import dataclass, field

from pasdeux.capsules import capsule_radii_m

__all__ = ["CheckParams", "CheckTargets"]


@dataclass(frozen=True, kw_only=True)
class CheckParams:
    """Thresholds of the measures (see :func:`pasdeux.check.check_performance`).

    Heights are above the floor (z = 0); speeds are horizontal unless named otherwise.
    """

    #: A support (a foot planted between a landing with weight and its next lift) slides
    #: when neither its heel nor its ball stays within this distance of where it landed.
    support_slide_m: float = 0.01
    #: A support starts this long after its landing (the foot settles).
    support_settle_s: float = 0.0
    #: The motion stage's swing window before a landing, in beats (a foot stepping twice
    #: in a row lifts at most this long before its next landing).
    lift_lead_beats: float = 0.6
    #: A foot is on the floor when its ball is below this height (literature skating
    #: ratio, contact share, landings).
    contact_height_m: float = 0.05
    #: ... its heel (ankle joint) below this one (landings: a foot has landed when its heel
    #: or its ball is on the floor and still).
    heel_contact_height_m: float = 0.10
    #: ... and still when it moves slower than this to the next frame (under a millimetre
    #: a frame at 60 fps: a foot placed slowly is not still while it creeps onto its mark).
    contact_speed_m_s: float = 0.05
    #: Skating ratio (literature): a foot on the floor moving faster than this skates.
    skate_speed_m_s: float = 0.5
    #: Lodge's contact: heel (ankle) and ball (toe) below these heights above the ground.
    lodge_heel_height_m: float = 0.08
    lodge_ball_height_m: float = 0.05
    #: Lodge's skating threshold: 0.01 m per frame at their 30 fps.
    lodge_speed_m_s: float = 0.3
    #: A landing is looked for this far around its beat (within the role's previous and
    #: next step).
    landing_search_s: float = 0.3
    #: Beat Align Score (Bailando): speed curve smoothed with this Gaussian, kinematic
    #: beats scored with this one (their 5 and 3 frames at 60 fps).
    bas_smoothing_s: float = 5.0 / 60.0
    bas_sigma_s: float = 3.0 / 60.0
    #: Frames this close to a change of hold are neither joined nor apart.
    hold_blend_margin_s: float = 0.25
    #: A joined pair of hands is "within" at this distance.
    joined_within_m: float = 0.03
    #: Capsule radius per bone (names: ``pasdeux.check.RIG.capsules``; by default
    #: ``pasdeux.capsules.capsule_radii_m()``).
    capsule_radii_m: dict[str, float] = field(default_factory=capsule_radii_m)
    #: Two capsules interpenetrate when they overlap by more than this (touching, as a
    #: hand on an arm or her arm resting on his, is contact).
    capsule_contact_m: float = 0.01
    #: Partners whose pelvises are further apart than this cannot touch (not measured).
    capsule_reach_m: float = 2.5
    #: A BVH rotation channel jumping more than this between frames is a flip.
    euler_flip_deg: float = 90.0
    #: A standing heel is up (on the ball: a rise, a pivot) when its ankle is more than
    #: this above its height standing flat.
    heel_up_m: float = 0.01
    #: Step actions of a declared dip (the pelvis may go low there, and through the
    #: role's following ``hold`` steps).
    dip_actions: tuple[str, ...] = ("dip", "lunge")


@dataclass(frozen=True, kw_only=True)
class CheckTargets:
    """The targets of issue 10 (every dance of the library)."""

    supports_sliding_share_max: float = 0.0
    step_error_mean_ms_max: float = 10.0
    interpenetration_frames_max: int = 0
    joined_within_share_min: float = 0.99
    turn_error_deg_max: float = 10.0
    pelvis_share_min: float = 0.60
    joint_speed_m_s_max: float = 10.0
    euler_flip_frames_max: int = 0
    bone_drift_m_max: float = 0.001
    synthesis_realtime_min: float = 50.0
