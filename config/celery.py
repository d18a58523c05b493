"""The Celery application. Broker and schedules come from the Django settings."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("accompagnement_chorus")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.setup_logging.connect(weak=False)
def use_the_django_logging(**_):
    """Workers and beat log as the web processes do (JSON in production), instead of
    Celery's own format."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)


# Task logs, the worker's heartbeat and beat's last run (accompagnement/web/celery_signals.py).
