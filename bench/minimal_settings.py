"""The portal's production settings with one tiny view as the whole site.

Served by the same ``gunicorn.conf.py`` and the same middleware as the portal, it
shows what the stack itself can serve on this machine: the ceiling the public page
figures are compared with.
"""

from portal.settings.base import *  # noqa: F403

ROOT_URLCONF = "bench.minimal_urls"
