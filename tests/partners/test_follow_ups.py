"""The pilot's follow-up notes on the partners: the pilot's only, written and marked done
from the page, overdue ones first, and the daily reminder that alerts every pilot once."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accompagnement.alerts.enums import AlertKind
from accompagnement.alerts.models import Alert
from accompagnement.axes.models import Axis
from accompagnement.partners.follow_up_tasks import follow_up_reminders
from accompagnement.partners.models import FollowUpNote
from accompagnement.partners.services.follow_ups import follow_up_reminders_record
from accompagnement.tasks import SCHEDULES
from tests.accounts.factories import TeamMemberFactory, UserFactory
from tests.partners.factories import FollowUpNoteFactory, PartnerFactory

pytestmark = pytest.mark.django_db


def body(response) -> str:
    return response.content.decode()


@pytest.fixture
def meddtl():
    return PartnerFactory(code="equipe-chorus-meddtl", name="Équipe Chorus du MEDDTL")


# ---------------------------------------------------------------------------- the page


def test_the_page_is_the_pilots_only(client, member, agent):
    for user in (member, agent):
        client.force_login(user)
        assert client.get(reverse("partners:follow_ups")).status_code == 403
        assert client.post(reverse("partners:follow_ups"), {}).status_code == 403


def test_the_pilot_writes_a_note(client, pilot, meddtl):
    client.force_login(pilot)
    response = client.post(
        reverse("partners:follow_ups"),
        {
            "partner": meddtl.pk,
            "text": "Relancer le MEDDTL sur la formation des DDT aux restitutions",
            "axis": Axis.TOOL,
            "due_on": "2011-12-05",
        },
    )
    assert response.status_code == 302
    note = FollowUpNote.objects.get()
    assert (note.partner, note.axis, note.due_on, note.created_by) == (
        meddtl,
        Axis.TOOL,
        date(2011, 12, 5),
        pilot,
    )
    page = body(client.get(response.url))
    assert "Relance de « Équipe Chorus du MEDDTL » notée pour le 05/12/2011." in page
    assert "Relancer le MEDDTL sur la formation des DDT aux restitutions" in page


def test_an_empty_note_shows_the_form_with_its_errors(client, pilot):
    client.force_login(pilot)
    response = client.post(reverse("partners:follow_ups"), {})
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in body(response)
    assert not FollowUpNote.objects.exists()


def test_open_notes_by_due_date_overdue_first_in_red_done_ones_below(
    client, pilot, meddtl, django_assert_num_queries
):
    today = timezone.localdate()
    FollowUpNoteFactory(partner=meddtl, text="Note à venir", due_on=today + timedelta(days=3))
    FollowUpNoteFactory(partner=meddtl, text="Note en retard", due_on=today - timedelta(days=2))
    FollowUpNoteFactory(partner=meddtl, text="Note du jour", due_on=today)
    FollowUpNoteFactory(
        partner=meddtl, text="Note faite", due_on=today - timedelta(days=9), done_at=timezone.now()
    )
    client.force_login(pilot)
    # session, user, partners (form), open notes, done notes
    with django_assert_num_queries(5):
        html = body(client.get(reverse("partners:follow_ups")))
    order = [
        html.index(t) for t in ("Note en retard", "Note du jour", "Note à venir", "Note faite")
    ]
    assert order == sorted(order)
    overdue = html[html.index("follow-up--overdue") : html.index("Note en retard")]
    assert "en retard" in overdue
    assert html.count('follow-up--overdue"') + html.count("follow-up--overdue ") == 1


def test_the_pilot_marks_a_note_done_once(client, pilot, meddtl):
    note = FollowUpNoteFactory(partner=meddtl)
    client.force_login(pilot)
    url = reverse("partners:follow_up_done", args=[note.pk])
    response = client.post(url)
    assert response.status_code == 302
    note.refresh_from_db()
    done_at = note.done_at
    assert done_at is not None
    assert "Relance de « Équipe Chorus du MEDDTL » faite." in body(client.get(response.url))
    client.post(url)
    note.refresh_from_db()
    assert note.done_at == done_at
    assert "Cette relance était déjà faite." in body(client.get(reverse("partners:follow_ups")))


def test_a_member_cannot_mark_a_note_done(client, member, meddtl):
    note = FollowUpNoteFactory(partner=meddtl)
    client.force_login(member)
    assert client.post(reverse("partners:follow_up_done", args=[note.pk])).status_code == 403
    note.refresh_from_db()
    assert note.done_at is None


def test_marking_an_unknown_note_is_a_404(client, pilot):
    client.force_login(pilot)
    assert client.post(reverse("partners:follow_up_done", args=[98765])).status_code == 404


# ---------------------------------------------------------------------------- reminders


def test_due_notes_alert_every_pilot_once(meddtl):
    pilots = [TeamMemberFactory(user=UserFactory(pilot=True)).user for _ in range(2)]
    TeamMemberFactory()  # a member: never told
    today = date(2011, 12, 5)
    due = FollowUpNoteFactory(partner=meddtl, text="Relancer sur les DDCSPP", due_on=today)
    late = FollowUpNoteFactory(partner=meddtl, due_on=today - timedelta(days=4))
    FollowUpNoteFactory(partner=meddtl, due_on=today + timedelta(days=1))  # not yet
    FollowUpNoteFactory(partner=meddtl, due_on=today, done_at=timezone.now())  # done

    assert follow_up_reminders_record(today=today) == 2

    alerts = Alert.objects.filter(kind=AlertKind.FOLLOW_UP_DUE)
    assert sorted(alerts.values_list("recipient_id", flat=True)) == sorted(
        [p.pk for p in pilots] * 2
    )
    text = alerts.get(recipient=pilots[0], key__startswith=f"follow_up_due:{due.pk}:").text
    assert text == (
        "Relance à faire — Équipe Chorus du MEDDTL, prévue le 5 décembre 2011 : " + due.text
    )
    due.refresh_from_db()
    late.refresh_from_db()
    assert due.reminded_at is not None and late.reminded_at is not None

    # A second run, the same day or later, reminds of nothing again.
    assert follow_up_reminders_record(today=today) == 0
    assert follow_up_reminders_record(today=today + timedelta(days=3)) == 1  # the next one
    assert alerts.count() == 6


def test_a_note_already_claimed_is_not_reminded_again(meddtl):
    TeamMemberFactory(user=UserFactory(pilot=True))
    note = FollowUpNoteFactory(partner=meddtl, due_on=date(2011, 12, 1))
    FollowUpNote.objects.filter(pk=note.pk).update(reminded_at=timezone.now())
    assert follow_up_reminders_record(today=date(2011, 12, 5)) == 0
    assert not Alert.objects.exists()


def test_the_daily_task_calls_the_service_and_is_scheduled(meddtl):
    TeamMemberFactory(user=UserFactory(pilot=True))
    FollowUpNoteFactory(partner=meddtl, due_on=timezone.localdate())
    assert follow_up_reminders() == 1
    assert follow_up_reminders() == 0
    assert "accompagnement.follow_up_reminders" in {s.task for s in SCHEDULES}


def test_the_pilots_notification_leads_to_the_follow_ups(client, meddtl):
    pilot = TeamMemberFactory(user=UserFactory(pilot=True)).user
    FollowUpNoteFactory(
        partner=meddtl, text="Relancer sur les restitutions", due_on=date(2011, 12, 5)
    )
    follow_up_reminders_record(today=date(2011, 12, 5))
    client.force_login(pilot)
    page = body(client.get(reverse("alerts:list")))
    assert f'<a href="{reverse("partners:follow_ups")}">Relance à faire' in page
