"""The portal's production settings for benchmarks: ``portal.settings.base`` as is,
with static files collected into a temporary folder.

``base.py`` takes ``STATIC_ROOT`` from the code (``<repo>/staticfiles``), not from the
environment; the benchmarks collect static files into a folder of their own
(``BENCH_STATIC_ROOT``) so they never write into the working tree.
"""

import os

from portal.settings.base import *  # noqa: F403

if os.environ.get("BENCH_STATIC_ROOT"):
    STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
