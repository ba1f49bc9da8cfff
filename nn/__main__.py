"""``python -m nn``: the same command line as ``micrograd-like``."""

import sys

from nn.cli import main

sys.exit(main())
