"""pasdeux: a music-driven partner-dance engine.

The flow runs one way (see ``docs/design.md``)::

    audio ──listen──▶ MusicMap ──choreograph──▶ Routine ──perform──▶ Performance ──▶ outputs
"""

from pasdeux.errors import InputError, PasdeuxError

__all__ = ["InputError", "PasdeuxError", "__version__"]
__version__ = "0.1.0"
