"""Tests: SQLite by default, PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set."""

import os
import tempfile

from .base import *  # noqa: F403
from .base import REDIS_URL, TEMPLATES

SECRET_KEY = "test-only-secret-key-not-for-production-use-0123456789abcdef"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = tempfile.mkdtemp(prefix="accompagnement-test-media-")

if not REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    BROKER_DIR = tempfile.mkdtemp(prefix="accompagnement-test-broker-")
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": os.path.join(BROKER_DIR, "queue"),
        "data_folder_out": os.path.join(BROKER_DIR, "queue"),
        "control_folder": os.path.join(BROKER_DIR, "control"),
        "store_processed": False,
    }

# Strict templates: a variable that does not exist fails the test.
TEMPLATES[0]["OPTIONS"]["debug"] = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
