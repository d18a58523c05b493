"""The demo's escalated requests and their partner (`accompagnement/demo/escalations.py`)."""

import io
import random
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from accompagnement.demo.escalation_history import OFTEN_LATE, demo_escalation_history_seed
from accompagnement.demo.escalations import demo_escalations_seed
from accompagnement.demo.requests import seed_demo_requests
from accompagnement.partners.enums import AnswerChannel
from accompagnement.partners.models import Escalation, Partner
from accompagnement.partners.selectors.stats import StatsPeriod, partner_stats
from accompagnement.support.enums import EscalationTarget, EventKind, MessageKind, Status
from accompagnement.support.models import SupportRequest
from accompagnement.support.selectors.requests import event_summary
from accompagnement.support.sla import add_working_time, is_working_day, working_hours

pytestmark = pytest.mark.django_db


# A December 2011 demo: its open requests are recent, a few of them escalated.
NOW = datetime(2011, 12, 15, 16, 0, tzinfo=ZoneInfo("Europe/Paris"))


def seed(count):
    call_command("seed_demo", "--no-progress", "--requests", "0", stdout=io.StringIO())
    seed_demo_requests(count=count, seed=7, now=NOW)


def test_escalated_demo_requests_are_followed_with_their_partner():
    call_command("load_reference_data", "--no-progress", verbosity=0)
    seed(400)
    escalated = SupportRequest.objects.filter(status=Status.ESCALATED)
    assert escalated.exists()
    escalations = list(Escalation.objects.open().select_related("request", "partner"))
    assert escalations
    for escalation in escalations:
        request = escalation.request
        assert request.status == Status.ESCALATED
        assert escalation.is_open
        assert escalation.created_by_id == request.assignee_id
        assert escalation.sent_at == request.sla_paused_at
        hours = escalation.partner.response_hours
        assert escalation.expected_at == add_working_time(escalation.sent_at, hours * 3600)
        assert escalation.reminders_sent <= escalation.partner.reminder_max
        if request.escalation_target == EscalationTarget.MINISTRY:
            assert escalation.partner.ministries.filter(pk=request.escalation_ministry_id).exists()
        if request.escalation_target == EscalationTarget.CSP:
            assert escalation.partner.service_centre_id == request.escalation_service_centre_id
        event = request.events.get(kind=EventKind.ESCALATED)
        assert event_summary(event) == f"Escaladée vers {escalation.partner.name}"
    # Every escalated request whose target stands in the directory has its escalation.
    assert len(escalations) >= escalated.count() * 0.8


def test_without_partners_the_requests_stay_escalated_as_they_were():
    call_command("load_reference_data", "--no-progress", verbosity=0)
    Partner.objects.all().delete()
    seed(400)
    assert SupportRequest.objects.filter(status=Status.ESCALATED).exists()
    assert not Escalation.objects.exists()
    pks = SupportRequest.objects.order_by("pk").values_list("pk", flat=True)
    bounds = (pks.first(), pks.last())
    assert demo_escalations_seed(bounds, random.Random(1), NOW) == 0


def test_finished_requests_keep_a_history_of_answered_escalations():
    call_command("load_reference_data", "--no-progress", verbosity=0)
    seed(1200)
    finished = SupportRequest.objects.filter(status__in=(Status.RESOLVED, Status.CLOSED))
    history = list(
        Escalation.objects.filter(request__in=finished).select_related("request", "partner")
    )
    # About 6 % of the finished requests went by a partner.
    assert 0.04 * finished.count() <= len(history) <= 0.08 * finished.count()
    assert not Escalation.objects.filter(
        request__status__in=(Status.REDIRECTED, Status.MERGED)
    ).exists()
    hours = working_hours()
    late = reminded = 0
    for escalation in history:
        request, partner = escalation.request, escalation.partner
        where = request.reference
        assert not escalation.is_open, where
        assert escalation.created_by_id == escalation.answered_by_id == request.assignee_id
        assert request.first_response_at <= escalation.sent_at, where
        assert escalation.sent_at < escalation.answered_at < request.resolved_at, where
        for moment in (escalation.sent_at, escalation.answered_at):
            local = timezone.localtime(moment)
            assert is_working_day(local.date()), where
            assert hours.opens <= local.time() <= hours.closes, where
        assert escalation.expected_at == add_working_time(
            escalation.sent_at, partner.response_hours * 3600
        )
        assert escalation.answered_via in AnswerChannel.values and escalation.answer, where
        assert escalation.reminders_sent <= partner.reminder_max, where
        assert (escalation.last_reminder_at is None) == (escalation.reminders_sent == 0), where
        if escalation.answered_at > escalation.expected_at:
            late += 1
            assert escalation.reminders_sent >= 1, where
        reminded += escalation.reminders_sent > 0
        # The request says where it went, as `support_request_escalate` leaves it.
        assert request.escalation_target, where
        if request.escalation_target == EscalationTarget.MINISTRY:
            assert partner.ministries.filter(pk=request.escalation_ministry_id).exists()
        if request.escalation_target == EscalationTarget.CSP:
            assert partner.service_centre_id == request.escalation_service_centre_id
        event = request.events.get(kind=EventKind.ESCALATED)
        assert event.is_public and event.created_at == escalation.sent_at, where
        assert event_summary(event) == f"Escaladée vers {partner.name}"
        note = request.messages.get(kind=MessageKind.INTERNAL, created_at=escalation.answered_at)
        assert note.body.startswith(f"Réponse de {partner.name} (")
        assert note.body.endswith(escalation.answer)
        assert request.messages.count() <= 6, where
    assert 0 < late < len(history) / 2
    assert reminded > late
    assert 0.3 < sum(bool(e.partner_reference) for e in history) / len(history) < 0.7
    assert sum(e.answered_via == AnswerChannel.EMAIL for e in history) > len(history) / 2

    # The pilot's page compares partners: several with a median, one team often late.
    stats = partner_stats(period=StatsPeriod(date(2011, 9, 1), NOW.date()), now=NOW)
    measured = [row for row in stats.rows if row.median_hours is not None]
    assert len(measured) >= 4
    assert len({round(row.median_hours) for row in measured}) >= 3
    slow = [row for row in measured if row.partner.code == OFTEN_LATE]
    if slow and slow[0].answered >= 3:
        assert slow[0].late_share > stats.total.late_share


def test_a_second_run_adds_no_history():
    call_command("load_reference_data", "--no-progress", verbosity=0)
    seed(400)
    count = Escalation.objects.count()
    assert count
    pks = SupportRequest.objects.order_by("pk").values_list("pk", flat=True)
    bounds = (pks.first(), pks.last())
    assert demo_escalation_history_seed(bounds, random.Random(2)) == 0
    assert demo_escalations_seed(bounds, random.Random(2), NOW) == 0
    # `seed_demo --ensure-requests` already met: nothing added either.
    total = SupportRequest.objects.count()
    call_command(
        "seed_demo", "--no-progress", "--ensure-requests", str(total), stdout=io.StringIO()
    )
    assert Escalation.objects.count() == count
