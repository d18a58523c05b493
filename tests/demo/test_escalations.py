"""The demo's escalated requests and their partner (`accompagnement/demo/escalations.py`)."""

import io
import random
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from accompagnement.demo.escalations import demo_escalations_seed
from accompagnement.demo.requests import seed_demo_requests
from accompagnement.partners.models import Escalation, Partner
from accompagnement.support.enums import EscalationTarget, EventKind, Status
from accompagnement.support.models import SupportRequest
from accompagnement.support.selectors.requests import event_summary
from accompagnement.support.sla import add_working_time

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
    escalations = list(Escalation.objects.select_related("request", "partner"))
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
