"""Live: a song danced as it plays, the leader's figures chosen at any moment (by the user,
or improvised), the follower reading him; a second leader may cut in, and she may take
the lead for a phrase (hijack). See :class:`LiveSession`."""

from pasdeux.live._params import LiveParams
from pasdeux.live._session import Chunk, Leads, LiveSession

__all__ = ["Chunk", "Leads", "LiveParams", "LiveSession"]
