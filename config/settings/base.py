"""Settings shared by every environment, all driven by environment variables.

`dev`, `test` and `production` import this module and change only what differs.
"""

import ipaddress
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

from accompagnement.web.logging import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def filesystem_broker_options(folder: Path) -> dict:
    """kombu's filesystem transport: a broker without a server, for `make run`."""
    queue, control = folder / "queue", folder / "control"
    for path in (queue, control):
        path.mkdir(parents=True, exist_ok=True)  # the transport does not create them
    return {
        "data_folder_in": str(queue),
        "data_folder_out": str(queue),
        "control_folder": str(control),
        "store_processed": False,
    }


VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost"]),
)

DEBUG = env("DEBUG")
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
# Set by each environment module (dev generates one, production demands one).
SECRET_KEY = env.str("SECRET_KEY", default="")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "dsfr",
    "widget_tweaks",  # required by django-dsfr's radio and checkbox templates
    "crispy_forms",
    "axes",
    "django_celery_beat",
    "django_filters",
    "django_htmx",
    "csp",
    "ddi",
    "accompagnement",
]

MIDDLEWARE = [
    # First: every log line of the request carries its id (accompagnement/web/logging.py).
    "accompagnement.web.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Content-Security-Policy (django-csp) and Permissions-Policy on every page.
    "accompagnement.web.middleware.ContentSecurityPolicyMiddleware",
    "accompagnement.web.middleware.PermissionsPolicyMiddleware",
    # GET, HEAD and POST only: TRACE and the methods the portal never uses get a 405.
    "accompagnement.web.middleware.AllowedMethodsMiddleware",
    # Before anything reads the body: an oversized request is refused (413) from its
    # Content-Length (REQUEST_BODY_MAX_SIZE below), with the security headers above.
    "accompagnement.web.request_size.RequestSizeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Sessions end after SESSION_COOKIE_AGE without activity.
    "accompagnement.web.middleware.SessionActivityMiddleware",
    # Nothing sent to a signed-in session is kept by a cache (private, no-store).
    "accompagnement.web.middleware.PrivateCacheMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # What the admin would pass unchecked to the database (a NUL byte…): 400.
    "accompagnement.web.admin_input.AdminInputMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Deny by default: every view needs a logged-in user unless marked
    # with @login_not_required (login, password reset, health).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # request.htmx: the team's quick actions answer htmx with a fragment.
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # Replaces dsfr.context_processors.site_config, which queries
                # the database on every page: the site identity is settings.
                "accompagnement.web.navigation.site",
            ],
            # Template tags live with their package, not in the app's templatetags/.
            "libraries": {
                "portail": "accompagnement.web.templatetags.portail",
                "dashboards": "accompagnement.steering.templatetags.dashboards",
            },
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file under `make run`: take the write lock when a
    # transaction starts and wait for it, rather than fail with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "accompagnement",
        }
    }
else:
    # Shared by the web process and the worker without any server.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

AUTH_USER_MODEL = "accompagnement.User"
AUTHENTICATION_BACKENDS = [
    # First, as django-axes requires: refuses locked-out credentials.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sign in with ProConnect (OpenID Connect, mozilla-django-oidc). Off unless the three
# variables are set: then the login page shows the button and the backend below is added.
# Endpoints come from https://<PROCONNECT_DOMAIN>/api/v2/.well-known/openid-configuration.
PROCONNECT_DOMAIN = env.str("PROCONNECT_DOMAIN", default="")
PROCONNECT_CLIENT_ID = env.str("PROCONNECT_CLIENT_ID", default="")
PROCONNECT_CLIENT_SECRET = env.str("PROCONNECT_CLIENT_SECRET", default="")
if PROCONNECT_DOMAIN and PROCONNECT_CLIENT_ID and PROCONNECT_CLIENT_SECRET:
    AUTHENTICATION_BACKENDS.append("accompagnement.accounts.proconnect.ProConnectBackend")
OIDC_RP_SIGN_ALGO = "RS256"  # ProConnect signs its ID tokens and userinfo with RS256
OIDC_RP_SCOPES = "openid email given_name usual_name uid siret idp_id organizational_unit"
OIDC_STATE_SIZE = 48
OIDC_NONCE_SIZE = 48
OIDC_AUTH_REQUEST_EXTRA_PARAMS = {"acr_values": "eidas1"}
OIDC_STORE_ID_TOKEN = True  # the logout sends it back to ProConnect (id_token_hint)
OIDC_CREATE_USER = False  # the pilot opens accounts (accompagnement/accounts/proconnect.py)
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:callback"
OIDC_TIMEOUT = 10
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Behind a load balancer or a reverse proxy: their addresses or networks, comma-separated
# (e.g. "10.0.0.0/8,2001:db8::1"). The client's address is then the right-most address of
# X-Forwarded-For that is not a trusted proxy (accompagnement/core/client_ip.py). Empty: the
# connection's peer (REMOTE_ADDR) is the client and X-Forwarded-For is ignored. A value that
# is not an address or a network stops the start-up.
TRUSTED_PROXIES = [
    str(ipaddress.ip_network(proxy.strip(), strict=False))
    for proxy in env.list("TRUSTED_PROXIES", default=[])
    if proxy.strip()
]

# Brute-force protection: 5 failures for one e-mail address from one IP
# address lock that pair for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Lock-outs apply to the password form (a POST). ProConnect's return is a GET without a
# username: refused sign-ins (unknown e-mail…) must not lock out everyone behind the same
# ministry proxy from ProConnect.
AXES_NEVER_LOCKOUT_GET = True
# The login form posts the e-mail address in Django's standard "username" field.
AXES_USERNAME_FORM_FIELD = "username"
# One e-mail address is one account whatever its case, as at sign-in: the failures of
# A@x.fr and a@X.FR count together.
AXES_USERNAME_CALLABLE = "accompagnement.accounts.lockout.axes_username"
AXES_CLIENT_IP_CALLABLE = "accompagnement.core.client_ip.client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Rate limits (django-ratelimit, counted in the cache): "count/period", period s, m, h or d.
# Sign-in per IP address (on top of django-axes), password reset per IP address and per
# e-mail address, filings per agent, and uploaded files per user (by number of files).
RATELIMIT_LOGIN = env.str("RATELIMIT_LOGIN", default="20/m")
RATELIMIT_PASSWORD_RESET = env.str("RATELIMIT_PASSWORD_RESET", default="5/h")
RATELIMIT_REQUEST_CREATE = env.str("RATELIMIT_REQUEST_CREATE", default="20/h")
RATELIMIT_UPLOADS = env.str("RATELIMIT_UPLOADS", default="60/h")
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
# The client's address, as django-axes reads it (TRUSTED_PROXIES above).
RATELIMIT_IP_META_KEY = "accompagnement.core.client_ip.client_ip"

# Personal data retention: closed requests older than this many days (after closing) are
# anonymised by a daily Celery job; the figures of the dashboards are kept.
PERSONAL_DATA_RETENTION_DAYS = env.int("PERSONAL_DATA_RETENTION_DAYS", default=3 * 365)
PERSONAL_DATA_ANONYMISE_BATCH = env.int("PERSONAL_DATA_ANONYMISE_BATCH", default=200)

# The team's clock (accompagnement/support/sla.py): SLA targets count in these working
# hours, Europe/Paris, French public holidays off (and the local ones of Alsace-Moselle
# for the DDIs of Bas-Rhin, Haut-Rhin and Moselle). Weekdays: 0 = Monday.
SUPPORT_WORKING_HOURS = {
    "opens": env.str("SUPPORT_OPENS", default="09:00"),
    "closes": env.str("SUPPORT_CLOSES", default="18:00"),
    "weekdays": env.list("SUPPORT_WEEKDAYS", cast=int, default=[0, 1, 2, 3, 4]),
}
# Share of an SLA target used when a request becomes "approaching" its due date.
SLA_APPROACHING_RATIO = env.float("SLA_APPROACHING_RATIO", default=0.75)
# Days after closing during which a DDI's message reopens the request; later, the page
# offers a new request linked to the old one.
REOPEN_DELAY_DAYS = env.int("REOPEN_DELAY_DAYS", default=14)
# Non-urgent alerts are e-mailed grouped, every this many minutes.
ALERT_DIGEST_MINUTES = env.int("ALERT_DIGEST_MINUTES", default=15)

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Uploaded files are never served from this URL: only through views that check access.
MEDIA_URL = "/fichiers-non-publics/"

# Request sizes, after the attachments' limits (accompagnement/support/uploads.py: 10 files
# of 10 Mio at most per form). The form fields, files aside: 2,5 Mio (Django's default).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# A file above 2,5 Mio is written to a temporary file (FILE_UPLOAD_TEMP_DIR, the system's
# by default) rather than kept in memory while the request is handled.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Twice the form's limit: 11 to 20 files get the form's message, which names the limit;
# more are refused (400) by Django's parser before any is written.
DATA_UPLOAD_MAX_NUMBER_FILES = 20
# The whole body: ten files of 10 Mio, the fields, and the multipart headers, rounded up
# to 104 Mio. Larger is refused (413) before being read (accompagnement/web/request_size.py);
# the reverse proxy caps at the same size (docs/deploy.md).
REQUEST_BODY_MAX_SIZE = 104 * 1024 * 1024

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="smtp://localhost:25")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Accompagnement Chorus <ne-pas-repondre@example.org>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The team's support mailbox: replies come back to `<local part>+<signed token>@<domain>`.
SUPPORT_MAILBOX = env.str("SUPPORT_MAILBOX", default="support@example.org")
# Escalations: how often an overdue partner is reminded (working hours between reminders).
ESCALATION_REMINDER_INTERVAL_HOURS = env.int("ESCALATION_REMINDER_INTERVAL_HOURS", default=9)
# Where the portal is reached: the links in e-mails start with it.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# Celery: Redis in production; kombu's filesystem transport (no server) otherwise.
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Longer than the longest retry wait (600 s), so a delayed task is not redelivered.
        "visibility_timeout": 3600,
        # A page that queues an e-mail never waits long for an unreachable broker.
        "socket_connect_timeout": 2,
        "socket_timeout": 10,
    }
else:
    CELERY_BROKER_URL = "filesystem://localhost//"
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(VAR_DIR / "broker")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Publishing happens in the web request (after commit): give up quickly when the broker
# is down; the outbox row stays pending and the periodic sweep queues it again.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# With late acknowledgement, a task cut by a lost broker connection is redelivered.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True

# django-crispy-forms with the project's own DSFR pack (templates/dsfr_crispy/).
CRISPY_ALLOWED_TEMPLATE_PACKS = ["dsfr_crispy"]
CRISPY_TEMPLATE_PACK = "dsfr_crispy"

# django-dsfr: users' text reaches its components, so never mark it safe.
DSFR_CONTENT_IS_SAFE = False
DSFR_MARK_OPTIONAL_FIELDS = False

SITE_TITLE = _("Accompagnement Chorus des DDI")
SITE_TAGLINE = _("Équipe interministérielle d'accompagnement des DDI")

# A session ends after SESSION_COOKIE_AGE seconds without a page seen (2 hours), give or
# take SESSION_REFRESH_INTERVAL: the expiry is pushed back at most that often
# (accompagnement/web/middleware.py), not on every request.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=2 * 3600)
SESSION_REFRESH_INTERVAL = 300
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# No script reads the CSRF cookie: forms carry the token (htmx posts the form's fields).
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy (django-csp), enforced in every environment so that the tests
# and the browser journeys run under it: scripts from the portal only (django-dsfr's get
# the request's nonce), no inline script, no inline style, nothing from elsewhere. The
# ProConnect origin is added to form-action when it is configured (web/middleware.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# Logs on stderr: JSON lines in production (LOG_FORMAT=json, its default there), text in
# development; each line carries the request id, the user id and role, or the Celery task.
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
LOGGING = logging_config(log_format=LOG_FORMAT, level=env.str("LOG_LEVEL", default="INFO"))

# `/sante/` also checks the Celery worker's heartbeat and beat's last run (a 503 when
# stale); HEALTH_CHECK_CELERY=false where no worker runs (tests, benchmarks).
HEALTH_CHECK_CELERY = env.bool("HEALTH_CHECK_CELERY", default=True)

# `Server-Timing` (the time Django took, web/middleware.py) is sent to the team and staff,
# and to anyone in development (DEBUG) or when this is on (`make bench` measures agents'
# pages too). Off in production: a page's time can tell what it did.
SERVER_TIMING_FOR_EVERYONE = env.bool("SERVER_TIMING_FOR_EVERYONE", default=False)

# Errors to Sentry when SENTRY_DSN is set (nothing is initialised otherwise); no personal
# data is sent (send_default_pii=False): the request id links an event to the logs.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )
