"""The motion stage's tunables: ``MotionParams``."""

from __future__ import annotations

from dataclasses import dataclass, field

from pasdeux._limits import HEIGHT_RANGE_M, check_within
from pasdeux.capsules import capsule_radii_m

__all__ = ["MotionParams"]


@dataclass(frozen=True, kw_only=True)
class MotionParams:
    """How bodies move (``perform(..., params=MotionParams(...))``; the defaults when None).

    Attributes
    ----------
    travel_share
        Share of the time since the dancer's previous landing that a stepping foot is in
        the air before it lands (the rest is the weight arriving on the foot before).
    travel_beats
        Longest time a stepping foot is in the air before it lands, in beats.
    max_foot_speed_m_s
        Fastest a stepping foot travels on average; a foot that would need to go faster
        lifts earlier (but not before it landed).
    max_turn_rad_s
        Fastest a step turns the body on average; a step that would turn faster lifts
        earlier (but not before it landed).
    placement_turn_rad_s
        Fastest the body turns on average into a couple placed afresh where a figure
        begins (a medley's new section: the plan's turn between two figures, over the
        new figure's first step, from the previous figure's last landing): where the
        time to that step's landing is too short, the body goes on turning after it, up
        to the dancer's next landing in the figure (the feet are placed as planned).
    swing_lift_m
        Highest a stepping foot is lifted off the floor.
    swing_ease_in_power
        How much longer a stepping foot takes to leave than to arrive: its travel follows
        ``smoothstep(u ** swing_ease_in_power)`` of the time ``u`` (0-1) from its lift to its
        landing (1: as gently placed as lifted, creeping onto its mark over the last frames;
        above 1: released gently, placed decisively on the beat).
    promenade_foot_turn_deg
        In promenade and counter promenade (the partners' facings a quarter turn apart,
        both travelling the way between them), a foot lands turned this far from the
        dancer's facing towards the partner's, pointing along the couple's travel (the
        inner feet side by side rather than toes crossing in the V).
    swing_even_s
        A foot in the air shorter than this is placed less decisively, down to evenly
        (``swing_ease_in_power`` 1) for a foot hardly off the floor: its speed peaks lower
        where it has little time to travel.
    swing_place_s
        A foot in the air longer than this is released more gently still rather than
        slowing down for longer: its power is at least its time in the air over this.
    swing_peak_speed_m_s
        Fastest a stepping foot's speed peaks (horizontally, before the feet are kept off
        the partner's) where placing it decisively would make it peak faster (a long step
        in a fast tempo: its speed peaks at about 1.83 times its average placed
        decisively, 1.5 evenly): it is placed less decisively, as far as keeps it under
        this, down to evenly. Under the issue's 10 m/s for any joint, with room for the
        feet's push off the partner's (up to about 2.5 m/s) and the knee swinging ahead
        of the ankle.
    blend_s
        Time over which a step's action (rise, sway, dip) and a change of hold are blended.
    landing_bob_m
        How far the pelvis gives (lowers) as the weight arrives on a travelling step.
    weight_transfer_s
        Duration of a weight transfer from one foot to the other; it ends a quarter of
        this after the foot lands.
    max_body_speed_m_s
        Fastest the body travels on average from one step's place to the next; where it
        would need to go faster it leaves earlier.
    body_smoothing_s
        Standard deviation of the Gaussian smoothing of the pelvis' path on the floor (a
        quick step of a long way is spread over the steps around it).
    support_shift_share
        How far the pelvis moves sideways from the body point towards the foot bearing the
        weight (0: stays over the body point, between the feet; 1: right over the foot).
    elbow_follow_s
        Time constant with which the way an elbow bends follows the reach of its hand (a
        hand passing behind a spinning dancer does not swing the elbow round at once).
    pivot_heel_pitch_deg
        How far a foot pivoting on its ball tips forward (its heel raised off the floor).
    support_back_share
        How far the pelvis moves back from the body point towards the foot bearing the
        weight when that foot is behind (never forward: towards a partner in front).
    hold_sit_back_share
        In a dance whose pulse is springy (or a step marked ``bounce``) and a body hold
        face to face (closed, embrace), the pelvis moves back from over its feet by this
        share of how far the knees of the legs bearing the weight bend forward of the line
        from hip to ankle (the knees give forward, the hips go back: the compressed stance
        of the swing and the Polka), so that the partners' bent knees, whose legs interleave
        only 8 cm apart sideways in a closed hold, do not meet between them (0: the pelvis
        stays over the feet).
    min_pelvis_height_share
        Lowest the pelvis goes, as a share of its standing height, outside a step declared
        a dip or lunge (where a leg could not reach its foot from there, the foot is left
        short of its mark instead of the body collapsing).
    leg_reach_share
        Share of the leg's length a leg is asked to reach (1: knee straight).
    knee_max_bend_deg
        Most a knee bends (0: straight).
    pelvis_smoothing_s
        Window over which the pelvis height is smoothed (never above what a leg reaches).
    pelvis_limit_speed_m_s
        Fastest the height the legs allow the pelvis changes: where a leg's limit drops or
        comes back within a few frames (a swinging foot letting go of the pelvis once it
        is up), the pelvis goes down before and comes back up after at most this fast.
    leader_height_m, follower_height_m
        The dancers' heights (the rig is scaled to each: its head's top at the height, its
        arm span the height); within ``pasdeux._limits.HEIGHT_RANGE_M``.
    hand_follow_s
        Time constant with which a hand follows its forearm's turning (a relaxed wrist
        trails a fast swing of the arm instead of whipping the fingertips round). On the
        routines of ``tests/test_motion.py`` the fastest fingertip (a follower's free hand
        in a Jive or Paso Doble spin) moves 12.2 m/s at 0.01 s, 10.4 at 0.05, 9.4 at 0.1.
    finger_curl_deg
        How far the fingers curl towards the palm (the hands follow the forearms).
    clavicle_raise_share
        Share of an arm's raise above the horizontal that its clavicle carries (the
        shoulder rises with a hand raised over the head).
    free_hand_smoothing_s
        Time over which a free hand's way round the partner's body is smoothed.
    hand_reach_share
        Share of an arm's length (shoulder to wrist) within which joined hands meet (the
        rest is room for the shoulder's rise with the clavicle after the meeting point is
        chosen): held low they drop below the shoulders' line only as far as both arms
        reach, raised they come as near over her head as both reach.
    hold_reach_share
        In a hand hold, the joined shoulders are kept within this share of the two arms'
        length (raised: of what both reach at the raised hands' height): bodies the steps
        put further apart are each brought half the way in, the pelvis leaning towards
        the partner over the feet (the rest is room for what moves the shoulders after:
        the pelvis over the standing foot, the chest's turn and tilt).
    hand_nearest_share
        Joined hands are kept at least this share of an arm's length from either
        shoulder (a hand passing in front of a shoulder, as it rises for a turn, does not
        fold the arm onto it and swing its elbow round).
    max_hand_speed_m_s
        The fastest a hand's target moves (where a change of hold would swing it round
        a spinning dancer faster, it follows at this speed; the wrist reaches it, the
        fingers trail it).
    hand_rounds
        Rounds of the free hands' pass (0: none) on both posed bodies: a hand that meets
        a part of the partner that no hold puts it on (it trails its forearm, which its
        target did not know) is moved off by the overlap and ``contact_clearance_m``
        (held and smoothed over ``contact_spread_s``), its arm swung about the shoulder.
    hand_move_speed_m_s
        How fast such a move grows and shrinks (the hand eases off the partner and back).
    raised_hand_clearance_m
        How far above the top of her head the joined hands are raised for an underarm
        turn.
    blend_draw_in_share
        A hand going from one hold's place to another's is drawn in towards its shoulder
        by this share of its reach half way through the change (none at either end): the
        elbow bends as the arm swings, as a dancer raising a hand for an underarm turn
        brings it up in front of his own body, not through the partner's face.
    placed_height_lead
        A hand going to or from its place on the partner (a shoulder, a back, a waist)
        takes that place's height this many times as fast as the rest of the change (1:
        with it): it rises or drops to the height first and then comes in level, and
        leaving, it comes away level before it drops, so two arms changing hold together
        (her hand to his shoulder as his goes down to her waist) pass over one another.
    placed_approach_out_m
        A hand going to its place on top of the partner's shoulder or upper arm goes this
        far (at most, half way through the change) out from the partner's chest through
        that place: her hand comes to his shoulder round its outside, not through his
        chest and neck (taking closed hold from side by side).
    shoulder_turn_max_deg_s
        The fastest the way from a shoulder to its wrist turns in the chest's frame
        (degrees a second): where a hand's target swings round faster (a hold changing as
        a dancer spins), the arm follows as fast as that.
    elbow_turn_max_deg_s
        The fastest an elbow swings round the line from its shoulder to its wrist
        (degrees a second) where the way it bends swings round (a reach passing where
        the elbow's way turns over, :func:`pasdeux.motion.body` ``elbow_pole``): the
        upper arm does not whip round its own axis at a shoulder's gimbal lock.
    elbow_off_partner_band_deg
        An elbow is kept from bending into the partner near it by turning its way across
        the arm off the partner's side: a way within a right angle of the partner goes to
        the right angle, on the side it is on; for a raised or level arm, one this many
        degrees or less on the arm's inner side of the partner (a raised arm reaching
        towards him, the chest's way bending it straight at him) swings round to the
        outer side through the way away from him instead, in proportion, so the elbow
        never flips across the partner from one frame to the next.
    joined_elbows_apart_rise_deg
        The two arms of a joined pair of hands bend to different sides: the follower's
        elbow is also turned to a right angle off the leader's posed elbow (across her
        arm, on the side that keeps it no nearer his body), in full where her arm reaches
        this many degrees or more above level, not at all at level or below (raised
        joined arms in an underarm turn would otherwise cross in an X; low ones hang
        apart at their sides).
    joined_elbow_near_share
        ... and only where the leader's elbow is near her upper arm: in full within one
        upper arm's length of her shoulder, fading out by this many of its lengths (in
        closed hold his elbow is far from her shoulder and her elbow is not moved).
    arm_across_max_deg
        The furthest the way from a shoulder to its wrist points from straight out to the
        side (degrees; 90: straight forward, up or down; 180: straight across the chest to
        the other shoulder, where every rotation order of the shoulder locks and its
        channels flip). A hand wanted further across is reached for on that limit.
    low_hands_forward_share
        Joined hands held low drop from between the shoulders along the down direction
        plus this share of the level way across the line between the shoulders that
        both partners face (times the lesser of their two facings that way): side by
        side the hands come down in front of them, the upper arms hanging by each body
        instead of meeting between the two; facing each other, or either side on
        (turning from one position to the other), straight down.
    capsule_radii_m
        The bodies' capsules kept apart (``pasdeux.capsules``; the check's by default).
    contact_rounds
        Rounds of resolving the partners' capsule overlaps by turning knees and elbows
        (0: not resolved).
    contact_iterations
        Correction steps per round.
    contact_step_deg
        Most a knee or elbow turns in one correction step.
    contact_clearance_m
        The gap aimed for between two capsules that overlapped (0: touching), except
        those the hold lets rest on each other. The turns are solved at
        ``contact_rate_hz``, interpolated between and spread over ``contact_spread_s``:
        a pair opened only to touching where it was solved closes again between those
        frames and where its turn is smoothed; aiming for a gap leaves room for that.
    contact_leg_clearance_m
        The gap aimed for between a leg's capsule and one of the partner's legs that
        overlapped (as ``contact_clearance_m``; legs close again more between the solved
        frames: a knee swinging through a step).
    contact_resting_m
        How far a limb leading to a hand the hold places on the partner (his forearm to
        the hand on her shoulder blade, hers to the hand on his arm) may sink into what
        it rests on.
    contact_search_m
        Pairs of capsules nearer than this are watched while turning (a turn may close
        them).
    contact_knee_turn_max_deg
        Most a knee turns in (towards the other leg) about the line from its hip to its
        ankle.
    contact_knee_turn_out_max_deg
        Most a knee turns out (away from the other leg) about that line: the hip rotates
        further outwards than inwards (a dancer's turnout).
    contact_elbow_turn_max_deg
        Most an elbow turns about the line from its shoulder to its wrist.
    contact_spread_s
        Time over which a turn is widened and smoothed (it starts before the contact and
        ends after it).
    contact_reach_m
        Partners whose pelvises are further apart than this are not checked.
    contact_rate_hz
        How often a second the turns are solved (interpolated between).
    contact_swivel_sweeps
        Times each knee's turn is then searched over its whole range where a leg still
        meets the partner (both partners' knees in turn; 0: not searched).
    contact_swivel_step_deg
        Step of the turns tried in that search.
    contact_swivel_rate_deg_s
        Fastest a knee turns in that search.
    contact_swivel_cost_m_rad
        What a radian of knee turn costs in that search, against metres of overlap: per
        radian away from the solver's turn and per radian of change between frames (the
        least turn that clears the legs, kept to one side over a contact).
    contact_swivel_lead_s
        How long before and after a leg meets the partner its knee's turn is searched
        (it turns out before the contact and back after it).
    contact_knee_side_max_deg
        Furthest a bent knee may point from the front of the pelvis after that search (a
        knee turned to point sideways or back is not a body's).
    heel_release_max_deg
        Most a foot on the floor bearing no weight (the trailing foot of a long step) rises
        onto its ball rather than pull the pelvis down.
    heel_release_weight_max
        A foot bearing more than this share of the weight keeps its heel down.
    heel_release_behind_m
        A heel is released fully only where its foot is this far behind the pelvis (not at
        all where it is beside it or in front).
    swing_free_lift_m
        A foot in the air this high (or higher) does not hold the pelvis down: it goes as
        far as its leg reaches (lower, the pelvis is planned for it to reach its mark).
    swing_hold_lift_m
        The same for a swing that rises at least ``swing_hold_peak_share`` of this high (a
        long stride, whose leg must reach it at full stretch): it holds the pelvis down
        until it is this high (a swinging leg at full stretch otherwise falls short).
    swing_hold_peak_share
        Share of ``swing_hold_lift_m`` a swing's highest point must reach for it to hold.
    swing_over_mark_share
        A foot in the air that its leg cannot reach is placed this share of the way from
        the straight line to it (0) to above its mark (1: the leg stretched to a point level
        with the mark, higher): its leg falls short upwards, not back towards the hip, so
        the foot passes where it was planned (clear of the partner's feet).
    swing_over_mark_max_m
        Most that foot is raised above its mark (further, it falls short both ways).
    heel_release_from_m
        A leg this much short of the pelvis' height bends its knee; further short, its
        heel rises (if it bears no weight).
    feet_gap_m
        How far apart a foot lands from a partner's foot standing where it arrives (beyond
        touching, the feet's capsules).
    feet_shift_max_m
        Most a foot is moved from where its step places it to land clear of a partner's
        (about a foot's width and a half: in a closed hold the four feet interleave about
        10 cm apart, so a foot landing across a partner's foot beside it is undone; one
        landing further across is the figure's own crossing step).
    feet_cross_depth_m
        A foot landing beside a partner's foot (nearer than this ahead or behind) lands on
        the side of it its hip is on (legs crossed there would pass through each other).
    feet_cross_turn_max_deg
        That side counts until either dancer has turned this far since the foot landed,
        unless both have turned as far (within this of each other) and stand face to face.
    feet_cross_face_max_deg
        Two dancers stand face to face while their facings are this near opposite (a
        couple turning together in a closed hold: Viennese Waltz, rotary turns).
    feet_rounds
        Corrections tried per foot landing beside a partner's feet.
    feet_push_rounds
        Rounds of pushing a foot in the air round a partner's foot and shin (each round
        pushes by what is left of the overlap).
    feet_push_smoothing_s
        Time over which a push of a foot in the air round a partner's is spread.
    feet_push_fade_s
        Time over which that push fades in after a lift and out before a landing.
    feet_push_speed_max_m_s
        The fastest a push of a foot in the air grows or shrinks (added to the swing's own
        speed).
    feet_swing_speed_max_m_s
        A foot swinging this fast (horizontally) or faster is pushed no faster: the push
        grows, shrinks or turns (changes as a vector) only by what is left below it.
    feet_shin_check_m
        How far up from the ankle a foot in the air keeps its shin clear of a partner's
        (each lower shin leaning towards its hip as a straight leg does: legs cross above
        ankles that pass clear of each other).
    rise_m
        How far a rise (Waltz, Foxtrot, Quickstep, Viennese Waltz: the steps marked
        ``rise`` and held to the ``lower``) lifts the pelvis and the ankles: the heels leave
        the floor, the balls stay on it.
    fall_m
        How far the knees give at the end of a step marked ``lower`` (the fall).
    cuban_hip_tilt_deg
        How far the pelvis tilts sideways in the Cuban hip action (steps marked ``hip``:
        Rumba, Cha Cha), the standing leg's hip up, about the standing hip joint.
    cuban_hip_twist_deg
        How far the pelvis turns towards the standing leg in the Cuban hip action (the
        chest stays facing the partner).
    contra_body_deg
        How far the chest turns ahead of the hips into a turning step of a Standard dance
        (contra-body movement), while the body turns.
    head_turn_deg, head_tilt_deg
        The follower's head in the closed hold of a Standard dance: turned and tilted to
        her left.
    leader_head_turn_deg
        The leader's head in that hold: turned to his left, over her right shoulder.
    bounce_m
        How far the knees lower the pelvis on each beat of a step marked ``bounce`` (the
        Samba bounce: flexed on the beat, straightened between).
    kick_height_m, flick_height_m
        How high (the ankle above where it stands on the floor) a foot is on the beat of a
        step marked ``kick`` or ``flick`` without weight (the Jive's kicks and flicks: the
        foot leaves the floor and is up on the beat).
    kick_point_deg
        How far a kicked foot points its toe (tipped about the ankle), reached as it rises
        from a step's lift to the kick's height.
    spring_m
        How far the knees give as each step takes the weight in a dance whose pulse is
        springy (``DanceStyle.pulse``: the Jive's and the swing's bounce), straightened
        again before the next step.
    hop_height_m
        How high a step marked ``hop`` (the Polka's hop before 1) lifts the dancer: the
        pelvis and the hopping foot rise this much and come down on the hop's beat.
    hop_air_share
        Share of the time since the hopping foot's previous landing that it is in the air.
    hop_free_lift_m
        How high the free foot is lifted off the floor during a hop (both feet leave the
        floor); it stays there until its next step takes it on.
    """

    travel_share: float = 0.75
    travel_beats: float = 1.2
    max_foot_speed_m_s: float = 3.0
    max_turn_rad_s: float = 12.0
    placement_turn_rad_s: float = 6.0
    swing_lift_m: float = 0.06
    swing_ease_in_power: float = 1.5
    swing_place_s: float = 0.45
    swing_peak_speed_m_s: float = 7.0
    swing_even_s: float = 0.12
    promenade_foot_turn_deg: float = 45.0
    blend_s: float = 0.3
    landing_bob_m: float = 0.012
    weight_transfer_s: float = 0.25
    max_body_speed_m_s: float = 2.5
    body_smoothing_s: float = 0.06
    support_shift_share: float = 0.25
    support_back_share: float = 0.5
    elbow_follow_s: float = 0.05
    pivot_heel_pitch_deg: float = 20.0
    hold_sit_back_share: float = 0.6
    min_pelvis_height_share: float = 0.6
    leg_reach_share: float = 0.999
    knee_max_bend_deg: float = 150.0
    pelvis_smoothing_s: float = 0.2
    pelvis_limit_speed_m_s: float = 3.0
    leader_height_m: float = 1.80
    follower_height_m: float = 1.68
    hand_follow_s: float = 0.05
    finger_curl_deg: float = 20.0
    clavicle_raise_share: float = 0.2
    free_hand_smoothing_s: float = 0.05
    hand_reach_share: float = 0.98
    hold_reach_share: float = 0.95
    hand_nearest_share: float = 0.45
    max_hand_speed_m_s: float = 8.0
    hand_rounds: int = 1
    hand_move_speed_m_s: float = 0.5
    raised_hand_clearance_m: float = 0.07
    blend_draw_in_share: float = 0.4
    placed_height_lead: float = 1.5
    placed_approach_out_m: float = 0.2
    shoulder_turn_max_deg_s: float = 1080.0
    elbow_turn_max_deg_s: float = 720.0
    elbow_off_partner_band_deg: float = 30.0
    joined_elbows_apart_rise_deg: float = 30.0
    joined_elbow_near_share: float = 1.25
    arm_across_max_deg: float = 140.0
    low_hands_forward_share: float = 0.6
    capsule_radii_m: dict[str, float] = field(default_factory=capsule_radii_m)
    contact_rounds: int = 3
    contact_iterations: int = 8
    contact_step_deg: float = 15.0
    contact_clearance_m: float = 0.02
    contact_leg_clearance_m: float = 0.03
    contact_resting_m: float = 0.01
    contact_search_m: float = 0.05
    contact_knee_turn_max_deg: float = 45.0
    contact_knee_turn_out_max_deg: float = 60.0
    contact_elbow_turn_max_deg: float = 90.0
    contact_spread_s: float = 0.2
    contact_reach_m: float = 2.5
    contact_rate_hz: float = 20.0
    contact_swivel_sweeps: int = 2
    contact_swivel_step_deg: float = 10.0
    contact_swivel_rate_deg_s: float = 480.0
    contact_swivel_cost_m_rad: float = 0.005
    contact_swivel_lead_s: float = 0.2
    contact_knee_side_max_deg: float = 70.0
    feet_gap_m: float = 0.005
    heel_release_max_deg: float = 35.0
    heel_release_weight_max: float = 0.1
    heel_release_from_m: float = 0.01
    swing_free_lift_m: float = 0.02
    swing_hold_lift_m: float = 0.06
    swing_hold_peak_share: float = 0.75
    swing_over_mark_share: float = 1.0
    swing_over_mark_max_m: float = 0.1
    heel_release_behind_m: float = 0.1
    feet_shift_max_m: float = 0.16
    feet_rounds: int = 3
    feet_push_rounds: int = 8
    feet_cross_depth_m: float = 0.25
    feet_cross_turn_max_deg: float = 45.0
    feet_cross_face_max_deg: float = 45.0
    feet_push_smoothing_s: float = 0.065
    feet_push_fade_s: float = 0.03
    feet_shin_check_m: float = 0.15
    feet_push_speed_max_m_s: float = 2.5
    feet_swing_speed_max_m_s: float = 8.0
    rise_m: float = 0.05
    fall_m: float = 0.03
    cuban_hip_tilt_deg: float = 6.0
    cuban_hip_twist_deg: float = 5.0
    contra_body_deg: float = 12.0
    head_turn_deg: float = 35.0
    head_tilt_deg: float = 10.0
    leader_head_turn_deg: float = 10.0
    bounce_m: float = 0.03
    spring_m: float = 0.02
    kick_height_m: float = 0.3
    flick_height_m: float = 0.22
    kick_point_deg: float = 40.0
    hop_height_m: float = 0.05
    hop_air_share: float = 0.5
    hop_free_lift_m: float = 0.04

    def __post_init__(self) -> None:
        check_within(self, _POSITIVE, 0.0, low_open=True)
        check_within(self, _NOT_NEGATIVE, 0.0)
        check_within(self, _SHARES, 0.0, 1.0)
        check_within(self, ("placed_height_lead", "swing_ease_in_power"), 1.0)
        check_within(self, ("hop_air_share",), 0.0, 1.0, low_open=True)
        check_within(self, _TURNS_UP_TO_HALF_DEG, 0.0, 180.0)
        pitches = ("pivot_heel_pitch_deg", "kick_point_deg", "heel_release_max_deg")
        check_within(self, pitches, 0.0, 90.0, high_open=True)
        check_within(self, ("finger_curl_deg", "promenade_foot_turn_deg"), 0.0, 90.0)
        check_within(self, ("arm_across_max_deg",), 90.0, 180.0)
        check_within(self, ("knee_max_bend_deg",), 0.0, 180.0, low_open=True, high_open=True)
        check_within(self, ("leader_height_m", "follower_height_m"), *HEIGHT_RANGE_M)
        check_within(self, ("kick_height_m", "flick_height_m"), 0.0, 0.6)
        lifts = ("rise_m", "fall_m", "bounce_m", "spring_m", "hop_height_m", "hop_free_lift_m")
        check_within(self, lifts, 0.0, 0.1)
        check_within(self, _CHARACTER_DEG, -45.0, 45.0)
        self._check_capsules()

    def _check_capsules(self) -> None:
        wanted = set(capsule_radii_m())
        if set(self.capsule_radii_m) != wanted:
            missing = sorted(wanted - set(self.capsule_radii_m))
            extra = sorted(set(self.capsule_radii_m) - wanted)
            raise ValueError(
                f"capsule_radii_m must name every capsule: missing {missing}, extra {extra}"
            )
        thin = {name: r for name, r in self.capsule_radii_m.items() if not r > 0}
        if thin:
            raise ValueError(f"capsule_radii_m must be positive, got {thin}")


# What MotionParams refuses (checked in ``__post_init__``): speeds and times it divides by
# or smooths over, distances that cannot be negative, shares of a whole, angles.
_POSITIVE = (
    "travel_beats", "max_foot_speed_m_s", "max_turn_rad_s", "max_body_speed_m_s",
    "placement_turn_rad_s",
    "body_smoothing_s", "blend_s", "weight_transfer_s", "pelvis_smoothing_s", "hand_follow_s",
    "pelvis_limit_speed_m_s",
    "elbow_follow_s", "max_hand_speed_m_s", "hand_move_speed_m_s", "shoulder_turn_max_deg_s",
    "elbow_turn_max_deg_s", "contact_rate_hz", "contact_reach_m", "swing_place_s",
    "swing_even_s", "swing_peak_speed_m_s", "feet_push_smoothing_s", "feet_push_fade_s",
    "heel_release_behind_m",
    "heel_release_weight_max", "swing_free_lift_m", "swing_hold_lift_m",
    "contact_swivel_step_deg",
    "contact_swivel_rate_deg_s", "elbow_off_partner_band_deg", "joined_elbows_apart_rise_deg",
    "joined_elbow_near_share",
)  # fmt: skip
_NOT_NEGATIVE = (
    "feet_gap_m", "feet_shift_max_m", "feet_cross_depth_m", "heel_release_from_m",
    "feet_rounds", "feet_push_rounds", "feet_shin_check_m", "feet_push_speed_max_m_s",
    "feet_swing_speed_max_m_s",
    "low_hands_forward_share",
    "contact_rounds", "contact_iterations",
    "contact_leg_clearance_m", "hand_rounds", "swing_lift_m", "landing_bob_m",
    "raised_hand_clearance_m", "placed_approach_out_m", "free_hand_smoothing_s",
    "contact_clearance_m",
    "contact_resting_m", "contact_search_m", "contact_spread_s", "contact_swivel_sweeps",
    "contact_swivel_cost_m_rad", "contact_swivel_lead_s", "swing_over_mark_max_m",
)  # fmt: skip
_SHARES = (
    "travel_share", "support_shift_share", "support_back_share", "min_pelvis_height_share",
    "leg_reach_share", "clavicle_raise_share", "hand_reach_share", "hold_reach_share",
    "hand_nearest_share", "heel_release_weight_max", "blend_draw_in_share",
    "hold_sit_back_share", "swing_hold_peak_share", "swing_over_mark_share",
)  # fmt: skip
_TURNS_UP_TO_HALF_DEG = (
    "feet_cross_turn_max_deg", "feet_cross_face_max_deg", "contact_step_deg",
    "contact_knee_turn_max_deg", "contact_knee_turn_out_max_deg", "contact_elbow_turn_max_deg",
    "contact_knee_side_max_deg", "elbow_off_partner_band_deg", "joined_elbows_apart_rise_deg",
)  # fmt: skip
_CHARACTER_DEG = (
    "cuban_hip_tilt_deg", "cuban_hip_twist_deg", "contra_body_deg", "head_turn_deg",
    "head_tilt_deg", "leader_head_turn_deg",
)  # fmt: skip
