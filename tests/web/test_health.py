import time

import pytest
from django.urls import reverse

from accompagnement.web.celery_signals import BEAT_LAST_RUN_KEY, WORKER_HEARTBEAT_KEY

pytestmark = pytest.mark.django_db


@pytest.fixture
def team_client(client, member):
    """The details of each check are for the team (see the end of this file)."""
    client.force_login(member)
    return client


def test_health_is_ok_when_all_is_up(team_client, settings):
    settings.HEALTH_CHECK_CELERY = False
    response = team_client.get(reverse("health"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker"}
    assert all(check["ok"] for check in body["checks"].values())


def test_health_reports_503_when_broker_is_down(team_client, settings):
    settings.HEALTH_CHECK_CELERY = False
    from config.celery import app

    # Nothing listens on port 1: the broker is unreachable.
    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = team_client.get(reverse("health"))
    finally:
        app.conf.broker_url = original
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


def test_health_reports_503_when_cache_is_down(team_client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    response = team_client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["ok"] is False


# ---------------------------------------------------------------------------- Celery


@pytest.fixture
def celery_checked(settings):
    """The worker and beat checks on, with both fresh (as under `make run`)."""
    from django.core.cache import cache

    from accompagnement.web.celery_signals import record_beat_run, record_worker_heartbeat

    settings.HEALTH_CHECK_CELERY = True
    record_worker_heartbeat("worker@test")
    record_beat_run("accompagnement.send_pending_notifications")
    yield cache
    cache.clear()


def age(cache, key: str, seconds: int) -> None:
    cache.set(key, {**cache.get(key), "at": time.time() - seconds}, timeout=None)


def test_health_reports_a_fresh_worker_and_beat_with_their_age(team_client, celery_checked):
    response = team_client.get(reverse("health"))
    assert response.status_code == 200
    checks = response.json()["checks"]
    assert set(checks) == {"database", "cache", "broker", "worker", "beat"}
    assert checks["worker"] == {"ok": True, "age_seconds": 0}
    assert checks["beat"] == {"ok": True, "age_seconds": 0}


def test_health_reports_503_when_the_worker_heartbeat_is_stale(team_client, celery_checked):
    age(celery_checked, WORKER_HEARTBEAT_KEY, 4 * 60)
    assert team_client.get(reverse("health")).status_code == 200  # 4 minutes: still fine

    age(celery_checked, WORKER_HEARTBEAT_KEY, 6 * 60)
    response = team_client.get(reverse("health"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["worker"] == {"ok": False, "detail": "stale", "age_seconds": 360}
    assert body["checks"]["beat"]["ok"] is True


def test_health_reports_503_when_beat_has_not_run_for_ten_minutes(team_client, celery_checked):
    age(celery_checked, BEAT_LAST_RUN_KEY, 11 * 60)
    response = team_client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["checks"]["beat"] == {
        "ok": False,
        "detail": "stale",
        "age_seconds": 660,
    }
    assert response.json()["checks"]["worker"]["ok"] is True


def test_health_reports_503_when_no_worker_ever_started(team_client, celery_checked):
    celery_checked.delete(WORKER_HEARTBEAT_KEY)
    response = team_client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == {"ok": False, "detail": "no heartbeat"}


def test_the_web_probe_ignores_the_worker_and_beat(team_client, celery_checked):
    celery_checked.delete(WORKER_HEARTBEAT_KEY)
    age(celery_checked, BEAT_LAST_RUN_KEY, 3600)
    response = team_client.get(reverse("health"), {"perimetre": "web"})
    assert response.status_code == 200
    assert set(response.json()["checks"]) == {"database", "cache", "broker"}


def test_a_ready_worker_beats_until_it_stops(settings, monkeypatch):
    """The worker's signal handlers: a heartbeat at once, then one every interval."""
    from django.core.cache import cache

    from accompagnement.web import celery_signals

    monkeypatch.setattr(celery_signals, "WORKER_HEARTBEAT_SECONDS", 0.05)
    cache.delete(WORKER_HEARTBEAT_KEY)
    celery_signals.worker_ready(sender=type("Consumer", (), {"hostname": "w1@host"})())
    try:
        first = cache.get(WORKER_HEARTBEAT_KEY)
        assert first["hostname"] == "w1@host"
        deadline = time.monotonic() + 5
        while cache.get(WORKER_HEARTBEAT_KEY)["at"] == first["at"]:
            assert time.monotonic() < deadline, "no second heartbeat"
            time.sleep(0.02)
    finally:
        celery_signals.worker_shutdown()
    time.sleep(0.2)
    stopped = cache.get(WORKER_HEARTBEAT_KEY)
    time.sleep(0.2)
    assert cache.get(WORKER_HEARTBEAT_KEY) == stopped
    cache.delete(WORKER_HEARTBEAT_KEY)


def test_beat_records_each_periodic_task_it_sends(settings):
    from celery import signals
    from django.core.cache import cache

    from accompagnement.web import celery_signals

    cache.delete(BEAT_LAST_RUN_KEY)
    celery_signals.beat_started()
    try:
        assert cache.get(BEAT_LAST_RUN_KEY)["task"] == ""
        signals.before_task_publish.send(
            sender="accompagnement.sla_reminders",
            headers={"task": "accompagnement.sla_reminders"},
        )
        assert cache.get(BEAT_LAST_RUN_KEY)["task"] == "accompagnement.sla_reminders"
    finally:
        signals.before_task_publish.disconnect(dispatch_uid="acc_beat_sent")
        cache.delete(BEAT_LAST_RUN_KEY)


# ---------------------------------------------------------------------------- who sees what


def test_the_public_and_agents_get_the_status_only(client, agent, settings):
    settings.HEALTH_CHECK_CELERY = False
    assert client.get(reverse("health")).json() == {"status": "ok"}
    client.force_login(agent)
    assert client.get(reverse("health")).json() == {"status": "ok"}


def test_a_failure_tells_the_public_no_more_than_error(client, celery_checked):
    celery_checked.delete(WORKER_HEARTBEAT_KEY)
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json() == {"status": "error"}


def test_the_team_and_staff_get_the_details(client, member, celery_checked):
    from tests.accounts.factories import UserFactory

    for user in (member, UserFactory(is_staff=True)):
        client.force_login(user)
        body = client.get(reverse("health")).json()
        assert body["status"] == "ok"
        assert set(body["checks"]) == {"database", "cache", "broker", "worker", "beat"}


def test_only_the_team_is_linked_to_the_health_page(client, agent, member):
    link = f'href="{reverse("health")}"'
    assert link not in client.get(reverse("login")).content.decode()
    client.force_login(agent)
    assert link not in client.get(reverse("home")).content.decode()
    client.force_login(member)
    assert link in client.get(reverse("home")).content.decode()
