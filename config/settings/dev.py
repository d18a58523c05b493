"""Development: `make run` on a bare machine, SQLite and an embedded broker by default."""

from django.core.management.utils import get_random_secret_key

from .base import *  # noqa: F403
from .base import VAR_DIR, env

DEBUG = env.bool("DEBUG", default=True)

VAR_DIR.mkdir(parents=True, exist_ok=True)
_secret_file = VAR_DIR / "secret_key"
if not env.str("SECRET_KEY", default=""):
    # Generated once, kept under var/ (never committed).
    if not _secret_file.exists():
        _secret_file.write_text(get_random_secret_key())
        _secret_file.chmod(0o600)
    SECRET_KEY = _secret_file.read_text().strip()

if not env.str("EMAIL_URL", default=""):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
