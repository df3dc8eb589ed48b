"""The command line: ``pasdeux analyze | dance | demo | figures``. No logic of its own."""

from pasdeux.cli._main import main

__all__ = ["main"]
