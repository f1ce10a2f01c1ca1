"""``python -m ee_app.cli``: the same as the ``ee-app`` command."""

import sys

from ee_app.cli import main

sys.exit(main())
