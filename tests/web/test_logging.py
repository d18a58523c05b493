"""Structured logs: JSON lines with the request id, the user and the role; no secret and no
text typed by a user; one line per Celery task run with its outcome."""

import io
import json
import logging
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from accompagnement.outbox import tasks as outbox_tasks
from accompagnement.support import tasks as support_tasks
from accompagnement.web.logging import (
    ContextFilter,
    JsonFormatter,
    SensitiveDataFilter,
    logging_config,
)
from tests.support.factories import SupportRequestFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Tr0mbone-Azur-Violette!"  # noqa: S105
BODY = "Le montant de l'EJ 1300012345 est bloqué, voici notre RIB confidentiel"


@pytest.fixture
def json_lines():
    """Everything logged during the test (from DEBUG up), as the production handler writes
    it; returns a function giving the lines parsed."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    handler.addFilter(SensitiveDataFilter())
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


def test_a_line_carries_time_level_logger_request_id_user_and_role(client, agent, json_lines):
    client.force_login(agent)
    response = client.get("/demandes/ACC-1999-99999/", HTTP_X_REQUEST_ID="proxy-7f3a9c21")
    assert response.status_code == 404
    assert response["X-Request-ID"] == "proxy-7f3a9c21"

    [line] = [line for line in json_lines() if line["logger"] == "django.request"]
    assert line["level"] == "WARNING"
    assert line["message"] == "Not Found: /demandes/ACC-1999-99999/"
    assert line["time"].endswith("+00:00")
    assert line["request_id"] == "proxy-7f3a9c21"
    assert (line["user_id"], line["role"]) == (agent.pk, "agent")
    assert line["request"] == "GET /demandes/ACC-1999-99999/"
    assert line["status_code"] == 404


def test_a_request_without_a_usable_id_gets_a_new_one(client):
    given = client.get(reverse("health"), HTTP_X_REQUEST_ID="id with spaces\nand a line")
    assert given["X-Request-ID"] != "id with spaces\nand a line"
    assert len(given["X-Request-ID"]) == 32
    other = client.get(reverse("health"))
    assert len(other["X-Request-ID"]) == 32
    assert other["X-Request-ID"] != given["X-Request-ID"]


def test_a_response_to_the_team_says_how_long_the_portal_took(client, member, monkeypatch):
    # 12.3 ms between the first middleware's start and the response (only the team gets
    # it: tests/web/test_middleware.py).
    client.force_login(member)
    clock = iter([100.0, 100.0123])
    monkeypatch.setattr("accompagnement.web.middleware.perf_counter", lambda: next(clock))
    response = client.get(reverse("health"))
    assert response["Server-Timing"] == "app;dur=12.3"


def test_a_login_post_logs_no_password(client, agent, json_lines):
    client.post(reverse("login"), {"username": agent.email, "password": PASSWORD})
    # Without the CSRF token: Django logs the refusal with the request.
    csrf_client = type(client)(enforce_csrf_checks=True)
    refused = csrf_client.post(reverse("login"), {"username": agent.email, "password": PASSWORD})
    assert refused.status_code == 403

    lines = json_lines()
    assert any(line["logger"] == "django.security.csrf" for line in lines)
    assert PASSWORD not in json.dumps(lines, ensure_ascii=False)


def test_a_reply_logs_no_message_body(client, agent, json_lines):
    support_request = SupportRequestFactory(requester=agent)
    client.force_login(agent)
    response = client.post(
        reverse("support:reply", args=[support_request.reference]),
        {"body": BODY, "version": support_request.version},
    )
    assert response.status_code == 302
    assert json_lines(), "the reply logged nothing: the test would prove nothing"
    assert BODY not in json.dumps(json_lines(), ensure_ascii=False)


def test_sensitive_values_are_masked_wherever_they_are_passed(json_lines):
    logger = logging.getLogger("accompagnement.test")
    logger.warning("Form refused: %s", {"username": "a@example.org", "password": PASSWORD})
    logger.warning("Posted %(body)s by %(user)s", {"body": BODY, "user": 42})
    logger.warning("Retrying with token=abc123secret&password=%s", PASSWORD)
    logger.warning("Reply", extra={"body": BODY, "message_id": 7, "api_token": "abc123secret"})

    lines = json_lines()
    text = json.dumps(lines, ensure_ascii=False)
    assert PASSWORD not in text
    assert BODY not in text
    assert "abc123secret" not in text
    assert lines[0]["message"] == (
        "Form refused: {'username': 'a@example.org', 'password': '[masqué]'}"
    )
    assert lines[1]["message"] == "Posted [masqué] by 42"
    assert lines[3]["message_id"] == 7
    assert lines[3]["body"] == "[masqué]"


def test_a_task_run_logs_its_name_ids_outcome_and_duration(json_lines):
    outbox_tasks.send_notification.apply(args=(987654,))  # no such row: skipped, a success

    [line] = [line for line in json_lines() if line.get("outcome")]
    assert line["logger"] == "accompagnement.tasks"
    assert line["task_name"] == "accompagnement.send_notification"
    assert line["arguments"] == {"arg0": 987654}
    assert line["outcome"] == "success"
    assert isinstance(line["duration_ms"], int)
    assert line["task"] == "accompagnement.send_notification"  # from the task's context
    assert line["task_id"]


def test_a_failing_task_logs_a_failure_without_its_message(json_lines, monkeypatch):

    def broken():
        raise RuntimeError(BODY)

    monkeypatch.setattr(support_tasks, "sla_reminders_record", broken)
    support_tasks.sla_reminders.apply()

    outcomes = [line for line in json_lines() if line.get("outcome")]
    assert [(line["task_name"], line["outcome"], line["level"]) for line in outcomes] == [
        ("accompagnement.sla_reminders", "failure", "ERROR")
    ]
    [failure] = [line for line in json_lines() if line["message"].endswith("failed: RuntimeError")]
    assert BODY not in json.dumps(failure, ensure_ascii=False)


def test_text_logs_in_development_and_json_by_default_in_production():
    assert settings.LOGGING["handlers"]["console"]["formatter"] == "text"
    assert (
        logging_config(log_format="json", level="INFO")["handlers"]["console"]["formatter"]
        == "json"
    )


def run_with_settings(module: str, code: str, **env) -> subprocess.CompletedProcess:
    environment = {
        **{k: v for k, v in os.environ.items() if k not in {"SENTRY_DSN", "LOG_FORMAT"}},
        "DJANGO_SETTINGS_MODULE": module,
        "SECRET_KEY": "x" * 64,
        "ALLOWED_HOSTS": "accompagnement.example.org",
        **env,
    }
    return subprocess.run(  # noqa: S603 (our interpreter, our code)
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )


def test_production_writes_one_json_object_a_line():
    result = run_with_settings(
        "config.settings.production",
        "import django, logging; django.setup(); "
        "logging.getLogger('accompagnement').warning('Broker unavailable')",
    )
    [line] = [json.loads(line) for line in result.stderr.splitlines()]
    assert line["level"] == "WARNING"
    assert line["logger"] == "accompagnement"
    assert line["message"] == "Broker unavailable"


SENTRY_ACTIVE = (
    "import django; django.setup(); import sentry_sdk; "
    "client = sentry_sdk.get_client(); "
    "print(client.is_active(), client.options['send_default_pii'] if client.is_active() else '')"
)


def test_sentry_is_off_without_a_dsn():
    result = run_with_settings("config.settings.production", SENTRY_ACTIVE)
    assert result.stdout.split() == ["False"]


def test_sentry_starts_with_a_dsn_and_sends_no_personal_data():
    result = run_with_settings(
        "config.settings.production",
        SENTRY_ACTIVE,
        SENTRY_DSN="https://0123456789abcdef@sentry.example.org/42",
    )
    assert result.stdout.split() == ["True", "False"]


def test_a_forged_host_header_is_a_warning_not_an_error(client, settings, json_lines):
    """Scanners send any Host header all day long: not an error to wake someone for
    (nor a Sentry event: sentry-sdk reports errors), and no traceback."""
    settings.ALLOWED_HOSTS = ["accompagnement.example.org"]
    response = client.get(reverse("login"), HTTP_HOST="scanner.example")
    assert response.status_code == 400

    [line] = [line for line in json_lines() if line["logger"] == "django.security.DisallowedHost"]
    assert line["level"] == "WARNING"
    assert "scanner.example" in line["message"]
    assert "exception" not in line
    assert not [line for line in json_lines() if line["level"] in ("ERROR", "CRITICAL")]
