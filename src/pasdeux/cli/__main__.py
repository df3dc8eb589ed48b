"""``python -m pasdeux.cli``."""

import sys

from pasdeux.cli import main

sys.exit(main())
