"""Local development: the embedded default that ``make run`` starts."""

import os

os.environ.setdefault("DJANGO_DEBUG", "true")
# Readable log lines on a developer's terminal; production writes JSON.
os.environ.setdefault("PORTAL_LOG_FORMAT", "text")
# A fixed key for local work only; base.py refuses to start without one elsewhere.
os.environ.setdefault(
    "DJANGO_SECRET_KEY", "insecure-local-development-key-never-deploy"
)

from portal.settings.base import *  # noqa: F403

ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", *ALLOWED_HOSTS]  # noqa: F405
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}

# Serve static files from the app folders without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
