"""``python -m micrograd_like``: the same command line as ``micrograd-like``."""

import sys

from micrograd_like.cli import main

sys.exit(main())
