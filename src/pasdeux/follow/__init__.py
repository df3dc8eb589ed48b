"""Keep up: a follower who reads the leader's motion as it happens (causally).

Not built yet: this stage arrives with its own issue. It will take a stream of the
leader's observed motion and return the follower's steps without seeing the routine.
"""

__all__: list[str] = []
