"""Recording alerts, their e-mails (at once for urgent ones, grouped for the others, never
twice), the members' e-mail choices and marking read."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, connections, transaction
from django.utils import timezone

from accompagnement.alerts.enums import AlertKind
from accompagnement.alerts.models import Alert
from accompagnement.alerts.selectors import unread_count
from accompagnement.alerts.services import (
    alert_digests_record,
    alert_record,
    alerts_mark_read,
    team_member_email_choices_set,
)
from accompagnement.outbox.models import Notification, NotificationStatus
from accompagnement.outbox.sending import SendOutcome, notification_send
from tests.accounts.factories import UserFactory
from tests.support.factories import SupportRequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "https://accompagnement.example.org/"


@pytest.fixture
def support_request():
    return SupportRequestFactory(title="EJ bloqué au service fait")


def record(kind, recipients, support_request, key, text="Une alerte", **extra):
    return alert_record(
        kind=kind,
        recipients=recipients,
        request=support_request,
        text=text,
        key=key,
        **extra,
    )


def test_one_alert_per_person_and_never_twice(member, pilot, support_request):
    gone = UserFactory(member=True, is_active=False)
    recipients = [member, pilot, member, None, gone]
    record(AlertKind.TRIAGE, recipients, support_request, "triage:1")
    record(AlertKind.TRIAGE, recipients, support_request, "triage:1")  # the job again
    alerts = Alert.objects.order_by("recipient_id")
    assert [(a.recipient_id, a.key) for a in alerts] == [
        (member.pk, f"triage:1:{member.pk}"),
        (pilot.pk, f"triage:1:{pilot.pk}"),
    ]
    assert unread_count(member) == 1


def test_the_members_choices_decide_the_email(member, pilot, support_request):
    member.team_profile.alerts_without_email = [AlertKind.TRIAGE]
    member.team_profile.save()
    record(AlertKind.TRIAGE, [member, pilot], support_request, "triage:1")
    record(AlertKind.FOLLOWED, [member], support_request, "followed:1")
    record(AlertKind.MENTION, [pilot], support_request, "mention:1", email=False)
    by_email = {(a.recipient_id, a.kind): a.by_email for a in Alert.objects.all()}
    assert by_email == {
        (member.pk, AlertKind.TRIAGE): False,
        (pilot.pk, AlertKind.TRIAGE): True,
        (member.pk, AlertKind.FOLLOWED): True,
        (pilot.pk, AlertKind.MENTION): False,
    }


def test_an_urgent_alert_is_emailed_at_once_and_once(member, pilot, support_request):
    for _ in range(2):
        record(
            AlertKind.URGENT,
            [member, pilot],
            support_request,
            f"urgent:{support_request.pk}",
            text=f"Demande urgente {support_request.reference}",
        )
    notifications = Notification.objects.filter(kind="alert").order_by("recipient_id")
    assert [n.recipient_id for n in notifications] == [member.pk, pilot.pk]
    assert all(a.emailed_at is not None for a in Alert.objects.all())
    # Nothing left for the grouped e-mail.
    assert alert_digests_record() == 0

    assert notification_send(notification_id=notifications[0].pk) == SendOutcome.SENT
    [email] = mail.outbox
    assert email.to == [member.email]
    assert email.subject == (
        f"[{support_request.reference}] Demande urgente : EJ bloqué au service fait"
    )
    assert f"Demande urgente {support_request.reference}" in email.body
    assert f"/demandes/{support_request.reference}/" in email.body
    assert "/notifications/preferences/" in email.body


def test_an_urgent_alert_turned_off_by_email_stays_in_the_portal(member, support_request):
    team_member_email_choices_set(
        member=member.team_profile, email_kinds=[k for k in AlertKind.values if k != "urgent"]
    )
    record(AlertKind.URGENT, [member], support_request, "urgent:1")
    assert Alert.objects.get().by_email is False
    assert not Notification.objects.exists()


def test_three_alerts_make_one_grouped_email(member, pilot, support_request):
    other = SupportRequestFactory(title="Restitution vide")
    record(AlertKind.TRIAGE, [member], support_request, "triage:1", text="Première alerte")
    record(AlertKind.ASSIGNED, [member, pilot], other, "assigned:2", text="Deuxième alerte")
    record(AlertKind.FOLLOWED, [member], other, "followed:3", text="Troisième alerte")

    assert alert_digests_record() == 2
    assert alert_digests_record() == 0  # the job again: nothing new
    digests = {n.recipient_id: n for n in Notification.objects.filter(kind="alerts_digest")}
    assert set(digests) == {member.pk, pilot.pk}
    assert len(digests[member.pk].context["alert_ids"]) == 3
    assert not Alert.objects.filter(emailed_at__isnull=True).exists()

    assert notification_send(notification_id=digests[member.pk].pk) == SendOutcome.SENT
    [email] = mail.outbox
    assert email.to == [member.email]
    assert email.subject == "[Alertes] 3 nouvelles alertes"
    body = email.body
    assert body.index("Première alerte") < body.index("Deuxième alerte")
    assert body.index("Deuxième alerte") < body.index("Troisième alerte")
    assert f"/demandes/{other.reference}/" in body
    html = email.alternatives[0][0]
    assert f'href="https://accompagnement.example.org/demandes/{other.reference}/"' in html


def test_a_later_alert_gets_its_own_grouped_email(member, support_request):
    record(AlertKind.TRIAGE, [member], support_request, "triage:1")
    alert_digests_record()
    record(AlertKind.FOLLOWED, [member], support_request, "followed:2")
    assert alert_digests_record() == 1
    first, second = Notification.objects.filter(kind="alerts_digest").order_by("pk")
    assert len(first.context["alert_ids"]) == 1
    assert second.context["alert_ids"] == [Alert.objects.get(kind=AlertKind.FOLLOWED).pk]


def test_the_grouped_email_leaves_out_what_is_not_for_email_or_already_read(
    member, support_request
):
    record(AlertKind.TRIAGE, [member], support_request, "triage:1", email=False)
    [read] = record(AlertKind.FOLLOWED, [member], support_request, "followed:2")
    alerts_mark_read(user=member, alert_ids=[Alert.objects.get(key=read.key).pk])
    assert alert_digests_record() == 0
    assert not Notification.objects.exists()
    # Read before the e-mail left: it leaves the queue all the same.
    assert Alert.objects.get(key=read.key).emailed_at is not None


def test_alerts_are_never_emailed_to_an_agent(agent, member, support_request):
    record(AlertKind.FOLLOWED, [member], support_request, "followed:1")
    alert_digests_record()
    notification = Notification.objects.get(kind="alerts_digest")
    notification.recipient = agent
    notification.save()
    assert notification_send(notification_id=notification.pk) == SendOutcome.REFUSED
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.FAILED
    assert mail.outbox == []


def test_a_digest_waits_for_alerts_recorded_after_its_moment(member, support_request):
    record(AlertKind.TRIAGE, [member], support_request, "triage:1")
    assert alert_digests_record(now=timezone.now() - timedelta(minutes=1)) == 0
    assert alert_digests_record() == 1


def test_marking_read_touches_only_ones_own_alerts(member, pilot, support_request):
    record(AlertKind.TRIAGE, [member, pilot], support_request, "triage:1")
    ids = list(Alert.objects.values_list("pk", flat=True))
    assert alerts_mark_read(user=member, alert_ids=ids) == 1
    assert alerts_mark_read(user=member, alert_ids=ids) == 0
    assert unread_count(member) == 0
    assert unread_count(pilot) == 1


def test_email_choices_are_stored_as_the_kinds_left_out(member):
    profile = member.team_profile
    team_member_email_choices_set(member=profile, email_kinds=["urgent", "breached"])
    profile.refresh_from_db()
    assert set(profile.alerts_without_email) == set(AlertKind.values) - {"urgent", "breached"}


def test_a_long_text_is_shortened(member, support_request):
    [alert] = record(AlertKind.TRIAGE, [member], support_request, "triage:1", text="x" * 500)
    stored = Alert.objects.get(key=alert.key)
    assert len(stored.text) == 300
    assert stored.text.endswith("…")


def test_a_member_without_profile_gets_everything_by_email(support_request):
    bare = UserFactory(member=True)
    record(AlertKind.TRIAGE, [bare], support_request, "triage:1")
    assert Alert.objects.get().by_email is True


@pytest.mark.django_db(transaction=True)
def test_two_digest_runs_at_once_email_each_alert_once(member):
    """A run that starts while another holds the alerts skips them (row locks)."""
    if connection.vendor != "postgresql":
        pytest.skip("Real concurrency needs PostgreSQL (CI runs this with DATABASE_URL).")
    support_request = SupportRequestFactory()
    record(AlertKind.TRIAGE, [member], support_request, "triage:1")
    record(AlertKind.FOLLOWED, [member], support_request, "followed:2")
    second_run = []

    def run_meanwhile():
        try:
            second_run.append(alert_digests_record())
        finally:
            connections.close_all()

    with transaction.atomic():
        assert alert_digests_record() == 1  # the first run, not committed yet
        thread = threading.Thread(target=run_meanwhile)
        thread.start()
        thread.join(timeout=10)
        waited = thread.is_alive()  # blocked on the first run's rows
    thread.join()
    assert not waited
    assert second_run == [0]
    assert alert_digests_record() == 0
    assert Notification.objects.filter(kind="alerts_digest").count() == 1
