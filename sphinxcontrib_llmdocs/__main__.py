"""``python -m sphinxcontrib_llmdocs``."""

import sys

from sphinxcontrib_llmdocs.cli import main

sys.exit(main())
