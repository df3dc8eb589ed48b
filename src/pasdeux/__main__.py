"""``python -m pasdeux``."""

import sys

from pasdeux.cli import main

sys.exit(main())
