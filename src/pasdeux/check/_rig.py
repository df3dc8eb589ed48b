"""The one table from what the check needs to the rig's joint names.

A renamed or richer rig (hips, spine chain, clavicles, hands, ...) changes :data:`RIG` and
the capsule table it shares with the motion stage (``pasdeux.capsules.BONE_CAPSULES``)
and nothing else: every measure asks for "the left foot's ball" or "the right forearm",
never for a joint name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pasdeux.capsules import BONE_CAPSULES, PART_CAPSULES

__all__ = ["RIG", "RigMap"]


@dataclass(frozen=True, kw_only=True)
class RigMap:
    """Where each body part the check measures is in the rig.

    ``heels`` and ``balls`` are, per foot (``"L"``, ``"R"``), the joints a planted foot
    can pivot on (ankle and toe joint); ``hands`` the joint a joined hand is
    measured at. ``capsules`` are the bones used for interpenetration, ``name -> (joint
    at one end, joint at the other)`` (a joint twice: a sphere); their radii are
    ``CheckParams.capsule_radii_m`` (both from :mod:`pasdeux.capsules`, the body model the
    motion stage keeps apart too). ``parts`` maps the body parts named in
    ``pasdeux.dances.HOLD_CONNECTIONS`` (``"R hand"``, ``"L shoulder blade"``, ...) to
    the capsules that touch the partner there (contact, not interpenetration).
    ``facing`` is the joint whose forward axis (``forward_axis`` in its rest frame) is
    the body's facing, and ``root`` the pelvis; ``chest`` and ``head`` are the joints
    whose turn against the pelvis (spine twist) and against the chest (head turn) is
    measured, about their forward axis and ``right_axis``, the rest frame's right, about
    which the pelvis' sideways tilt is measured.
    """

    root: str
    facing: str
    forward_axis: tuple[float, float, float]
    heels: dict[str, str]
    balls: dict[str, str]
    hands: dict[str, str]
    capsules: dict[str, tuple[str, str]]
    parts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    chest: str = "Spine2"
    head: str = "Head"
    right_axis: tuple[float, float, float] = (1.0, 0.0, 0.0)


RIG = RigMap(
    root="Hips",
    facing="Hips",
    forward_axis=(0.0, 1.0, 0.0),
    heels={"L": "LeftFoot", "R": "RightFoot"},
    balls={"L": "LeftToeBase", "R": "RightToeBase"},
    hands={"L": "LeftHand", "R": "RightHand"},
    capsules=dict(BONE_CAPSULES),
    parts=dict(PART_CAPSULES),
)
"""The Mixamo-named rig of ``pasdeux.motion`` (``JOINTS``): the heel is the ankle
(``LeftFoot``), the ball the toe joint (``LeftToeBase``), a hand is measured at the wrist
(``LeftHand``) and its capsule is the palm (wrist to knuckle)."""
