"""Tests: SQLite by default, PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import REDIS_URL, TEMPLATES, env, filesystem_broker_options

SECRET_KEY = "test-only-secret-key-not-for-production-use-0123456789abcdef"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# locmem; a worker process started by a test writes its e-mails to files the test counts
# (tests/integration/test_reminders_worker.py).
EMAIL_BACKEND = env.str(
    "TEST_EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend"
)
EMAIL_FILE_PATH = env.str("TEST_EMAIL_FILE_PATH", default="")
MEDIA_ROOT = tempfile.mkdtemp(prefix="accompagnement-test-media-")

if not REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(
        Path(tempfile.mkdtemp(prefix="accompagnement-test-broker-"))
    )

# Strict templates: a variable that does not exist fails the test.
TEMPLATES[0]["OPTIONS"]["debug"] = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True

# ProConnect signs with RS256; the tests' fake providers sign with the client secret.
OIDC_RP_SIGN_ALGO = "HS256"

# No Celery worker runs beside the test process: /sante/ leaves the worker and beat out
# (the health tests switch them on explicitly).
HEALTH_CHECK_CELERY = False
