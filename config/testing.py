"""A pytest plugin that puts the settings in test mode before they are read.

pyproject.toml loads it with ``-p config.testing``: plugins named that way are
imported before pytest-django reads ``config.settings``, which conftest files
are not. Test mode is thereby stated, not guessed from ``sys.modules``.
"""

import os

os.environ["DJANGO_TESTING"] = "1"
