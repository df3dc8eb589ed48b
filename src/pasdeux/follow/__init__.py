"""Keep up: a follower who reads the leader's motion as it happens (causally).

:class:`Follower` takes one :class:`LeaderFrame` at a time, what a partner can feel or see
of the leader (his body and facing, his feet and which is on the floor, his joined hands,
the beats heard so far) and returns her steps (:class:`FollowerStep`). It never sees the
routine nor the names of his figures: it infers them with a hidden Markov model over the
dance's figure grammar (see ``pasdeux.follow._follower`` for the model and its sources).
"""

from pasdeux.follow._follower import Follower
from pasdeux.follow._params import FollowParams, Reader
from pasdeux.follow._types import FollowerStep, HandContact, LeaderFrame

__all__ = ["FollowParams", "Follower", "FollowerStep", "HandContact", "LeaderFrame", "Reader"]
