"""pasdeux: a music-driven partner-dance engine.

The flow runs one way (see ``docs/design.md``)::

    audio ──listen──▶ MusicMap ──choreograph──▶ Routine ──perform──▶ Performance ──▶ outputs

Importing the package imports nothing else: ``pasdeux.InputError`` and
``pasdeux.PasdeuxError`` are loaded on first use, so that ``python -m pasdeux`` reaches the
command line's Ctrl-C guard (:func:`pasdeux.cli.main`) before any module takes time to load.
"""

__all__ = ["InputError", "PasdeuxError", "__version__"]
__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    if name in ("InputError", "PasdeuxError"):
        from pasdeux import errors

        return getattr(errors, name)
    raise AttributeError(f"module 'pasdeux' has no attribute {name!r}")
