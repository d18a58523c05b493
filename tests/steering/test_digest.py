"""The pilot's weekly digest: its content, once per ISO week and pilot."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from accompagnement.outbox.models import Notification
from accompagnement.steering import tasks as steering_tasks
from accompagnement.steering.selectors import weekly_digest
from accompagnement.steering.services import iso_week, weekly_digest_record
from config.celery import app
from ddi.enums import DDIKind
from tests.accounts.factories import TeamMemberFactory, UserFactory
from tests.campaigns.factories import AcknowledgementFactory, MilestoneFactory
from tests.ddi.factories import DDIFactory
from tests.support.factories import SupportRequestFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
# Monday 9 March 2026, 8:00: the week is Monday 2 to Sunday 8 March.
NOW = datetime(2026, 3, 9, 8, 0, tzinfo=PARIS)


def at(day, hour=12):
    return datetime(2026, 3, day, hour, 0, tzinfo=PARIS)


@pytest.fixture
def eager_celery():
    """Tasks run in-process when queued (`CELERY_TASK_ALWAYS_EAGER`), errors raised."""
    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


@pytest.fixture
def week():
    """Requests and milestones around the week of 2 March 2026."""
    # Filed during the week (from Monday 00:00 to Sunday 23:59), before and after; all
    # answered, on time.
    for filed in (at(2, 0), at(8, 23), at(1, 23), at(9, 7)):
        SupportRequestFactory(created_at=filed, first_response_at=filed)
    # Resolved during the week, and before it.
    SupportRequestFactory(resolved=True, created_at=at(1), resolved_at=at(5))
    SupportRequestFactory(resolved=True, created_at=at(1), resolved_at=at(1))
    # Overdue now: filed five weeks ago, still open.
    SupportRequestFactory(assigned=True, created_at=NOW - timedelta(days=35))

    first_ddt, second_ddt = DDIFactory(kind=DDIKind.DDT), DDIFactory(kind=DDIKind.DDT)
    soon = MilestoneFactory(
        title="Dernières DA", due_date=date(2026, 3, 10), ddi_kinds=[DDIKind.DDT]
    )
    AcknowledgementFactory(milestone=soon, ddi=first_ddt)
    # In two weeks exactly (included), for information.
    MilestoneFactory(title="Loi de finances", due_date=date(2026, 3, 23), informational=True)
    # Too late, or past.
    MilestoneFactory(title="Plus tard", due_date=date(2026, 3, 24))
    MilestoneFactory(title="Passé", due_date=date(2026, 3, 8))
    return {"soon": soon, "ddts": (first_ddt, second_ddt)}


def test_digest_counts_the_week_and_lists_the_coming_milestones(week):
    digest = weekly_digest(NOW)
    assert (digest["week_start"], digest["week_end"]) == ("2026-03-02", "2026-03-08")
    assert (digest["new"], digest["resolved"], digest["overdue"]) == (2, 1, 1)
    assert [m["title"] for m in digest["milestones"]] == ["Dernières DA", "Loi de finances"]
    soon = digest["milestones"][0]
    assert (soon["targeted"], soon["acknowledged"], soon["percent"]) == (2, 1, 50)
    assert soon["due_date"] == "2026-03-10"
    assert digest["milestones"][1]["needs_acknowledgement"] is False


def test_each_pilot_gets_one_digest_per_week(
    week, eager_celery, django_capture_on_commit_callbacks
):
    pilot = TeamMemberFactory(user=UserFactory(pilot=True)).user
    other_pilot = UserFactory(pilot=True)
    UserFactory(pilot=True, is_active=False)
    TeamMemberFactory()  # a member gets none

    with django_capture_on_commit_callbacks(execute=True):
        assert weekly_digest_record(now=NOW) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert weekly_digest_record(now=NOW + timedelta(days=2)) == 0

    keys = set(Notification.objects.values_list("key", flat=True))
    assert keys == {f"digest:2026-W11:{pilot.pk}", f"digest:2026-W11:{other_pilot.pk}"}
    assert sorted(a for e in mail.outbox for a in e.to) == sorted([pilot.email, other_pilot.email])

    email = mail.outbox[0]
    assert email.subject == "[Pilotage] Synthèse de la semaine du 2 mars au 8 mars 2026"
    assert "2 nouvelles demandes" in email.body
    assert "1 demande résolue" in email.body
    assert "1 demande en retard aujourd'hui" in email.body
    assert "Dernières DA" in email.body
    assert "1 / 2 DDI l'ont marqué fait (50 %)" in email.body
    assert "Loi de finances" in email.body and "pour information" in email.body
    assert "Plus tard" not in email.body
    assert "/calendrier/" in email.body
    [(html, _mimetype)] = email.alternatives
    assert "<strong>50 %</strong>" in html

    # The next week, a new one.
    with django_capture_on_commit_callbacks(execute=True):
        assert weekly_digest_record(now=NOW + timedelta(days=7)) == 2


def test_no_pilot_no_digest():
    assert weekly_digest_record(now=NOW) == 0
    assert not Notification.objects.exists()


def test_iso_weeks_around_the_new_year():
    assert iso_week(date(2026, 12, 31)) == "2026-W53"
    assert iso_week(date(2027, 1, 4)) == "2027-W01"


def test_the_digest_task(eager_celery, django_capture_on_commit_callbacks):
    pilot = UserFactory(pilot=True)
    with django_capture_on_commit_callbacks(execute=True):
        steering_tasks.weekly_digest.delay()
    [email] = mail.outbox
    assert email.to == [pilot.email]
