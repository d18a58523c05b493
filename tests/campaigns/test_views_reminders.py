"""The pilot's view of the milestone reminders (`/pilotage/rappels/`) and the resend button."""

from datetime import timedelta
from itertools import count

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accompagnement.campaigns.models import ReminderDelivery
from accompagnement.outbox.models import Notification, NotificationStatus
from config.celery import app
from tests.accounts.factories import UserFactory
from tests.campaigns.factories import MilestoneFactory

pytestmark = pytest.mark.django_db

URL = reverse("steering:reminders")
_keys = count()


def deliver(milestone, status, *, error="", offset=7):
    recipient = UserFactory()
    notification = Notification.objects.create(
        key=f"essai:{next(_keys)}",
        kind="milestone_reminder",
        recipient=recipient,
        context={"milestone_id": milestone.pk, "offset_days": offset},
        status=status,
        last_error=error,
        sent_at=timezone.now() if status == NotificationStatus.SENT else None,
    )
    return ReminderDelivery.objects.create(
        milestone=milestone, recipient=recipient, offset_days=offset, notification=notification
    )


@pytest.fixture
def eager_celery():
    """Tasks run in-process when queued (`CELERY_TASK_ALWAYS_EAGER`), errors raised."""
    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


@pytest.fixture
def milestone():
    milestone = MilestoneFactory(
        title="Dernières DA de l'exercice", due_date=timezone.localdate() + timedelta(days=7)
    )
    for _ in range(3):
        deliver(milestone, NotificationStatus.SENT)
    deliver(milestone, NotificationStatus.PENDING)
    deliver(milestone, NotificationStatus.SENDING)
    deliver(milestone, NotificationStatus.FAILED, error="SMTPRecipientsRefused: boîte pleine")
    deliver(milestone, NotificationStatus.FAILED, error="SMTPRecipientsRefused: boîte pleine")
    return milestone


def row_of(response, milestone):
    html = response.content.decode()
    start = html.index(f'id="rappels-jalon-{milestone.pk}"')
    return html[start : html.index("</tr>", start)]


def test_the_pilot_sees_sent_pending_and_failed_per_milestone(client, pilot, milestone):
    quiet = MilestoneFactory(title="Sans échec")
    deliver(quiet, NotificationStatus.SENT)
    MilestoneFactory(title="Jamais rappelé")
    client.force_login(pilot)

    response = client.get(URL)

    assert response.status_code == 200
    milestones = {m.title: m for m in response.context["milestones"]}
    assert set(milestones) == {"Dernières DA de l'exercice", "Sans échec"}
    counts = milestones["Dernières DA de l'exercice"]
    assert (counts.reminders_sent, counts.reminders_pending, counts.reminders_failed) == (3, 2, 2)
    assert counts.last_error == "SMTPRecipientsRefused: boîte pleine"
    row = row_of(response, milestone)
    assert "Renvoyer les 2 rappels en échec" in row
    assert reverse("steering:reminders_resend", args=[milestone.pk]) in row
    assert "boîte pleine" in row
    assert "Renvoyer" not in row_of(response, quiet)


def test_the_page_reads_counts_in_a_fixed_number_of_queries(client, pilot, milestone):
    client.force_login(pilot)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for _ in range(6):
        other = MilestoneFactory()
        deliver(other, NotificationStatus.SENT)
        deliver(other, NotificationStatus.FAILED)
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL)
    assert len(response.context["milestones"]) == 7
    assert len(many) == len(few)
    # Session and user, the milestones due today (3), the counts (1).
    assert len(many) == 6


def test_reminders_of_the_day_are_listed(client, pilot):
    MilestoneFactory(title="À rendre aujourd'hui", due_date=timezone.localdate())
    client.force_login(pilot)
    response = client.get(URL)
    assert [r.milestone.title for r in response.context["due_today"]] == ["À rendre aujourd'hui"]
    assert "Jour même" in response.content.decode()
    assert "Aucun rappel de jalon n’a encore été envoyé." in response.content.decode()


@pytest.mark.parametrize("role", ["agent", "member"])
def test_only_the_pilot_sees_it(client, users_by_role, role):
    client.force_login(users_by_role[role])
    assert client.get(URL).status_code == 403


def test_resend_puts_the_failed_ones_back_and_sends_them(
    client, pilot, milestone, eager_celery, django_capture_on_commit_callbacks
):
    client.force_login(pilot)
    untouched = dict(
        Notification.objects.exclude(status=NotificationStatus.FAILED).values_list("pk", "status")
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("steering:reminders_resend", args=[milestone.pk]))

    assert response.status_code == 302
    assert response.url == URL
    statuses = dict(Notification.objects.values_list("pk", "status"))
    # The two failed ones went out; the others did not move (a sent one is never resent).
    assert len(mail.outbox) == 2
    assert {statuses.pop(pk) for pk in list(statuses) if pk not in untouched} == {
        NotificationStatus.SENT
    }
    assert statuses == untouched
    page = client.get(URL)
    assert (
        "2 rappels en échec de « Dernières DA de l&#x27;exercice » sont remis en file d’envoi."
        in (page.content.decode())
    )


def test_resend_without_failures_says_so(client, pilot):
    quiet = MilestoneFactory(title="Tout est parti")
    deliver(quiet, NotificationStatus.SENT)
    client.force_login(pilot)
    response = client.post(reverse("steering:reminders_resend", args=[quiet.pk]), follow=True)
    assert "Aucun rappel en échec pour « Tout est parti »" in response.content.decode()
    assert not mail.outbox


def test_resend_of_another_milestone_touches_only_its_own(client, pilot, milestone):
    other = MilestoneFactory()
    failed_elsewhere = deliver(other, NotificationStatus.FAILED).notification
    client.force_login(pilot)
    client.post(reverse("steering:reminders_resend", args=[milestone.pk]))
    failed_elsewhere.refresh_from_db()
    assert failed_elsewhere.status == NotificationStatus.FAILED


def test_resend_is_a_post_for_the_pilot_only(client, users_by_role, milestone):
    url = reverse("steering:reminders_resend", args=[milestone.pk])
    client.force_login(users_by_role["pilot"])
    assert client.get(url).status_code == 405
    assert client.post(reverse("steering:reminders_resend", args=[999_999])).status_code == 404
    client.force_login(users_by_role["member"])
    assert client.post(url).status_code == 403
    assert Notification.objects.filter(status=NotificationStatus.FAILED).count() == 2
