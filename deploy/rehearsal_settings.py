"""Production settings for `make rehearse`, with one change: collected static files go to the
rehearsal's temporary directory (REHEARSAL_STATIC_ROOT) instead of the checkout's staticfiles/,
so a rehearsal never leaves files behind that a later test run would serve."""

import os
from pathlib import Path

from config.settings import *  # noqa: F403

STATIC_ROOT = Path(os.environ["REHEARSAL_STATIC_ROOT"])
