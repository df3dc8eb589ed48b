"""``python -m pasdeux.cli``."""

import sys

from pasdeux.cli._main import main

sys.exit(main())
