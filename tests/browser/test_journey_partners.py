"""An escalation followed to its end in a real browser: a member escalates a request to the
MAAPRAT's Chorus team (suggested from the request's programme), notes the partner's ticket
number; the partner is late, the reminder goes and the page says so; the partner's answer,
recorded by the member, brings the request back « en cours »; the pilot sees the partner's
response time.

The server's clock is moved with time-machine (the live server runs in this process), to
coming working days, so that the partner's clock (18 working hours) can run out.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from accompagnement.outbox.models import Notification
from accompagnement.partners.enums import PartnerKind
from accompagnement.partners.models import Escalation
from accompagnement.partners.services.reminders import escalations_remind
from accompagnement.support.enums import Status
from accompagnement.support.models import SupportRequest
from accompagnement.support.sla import is_working_day
from tests.accounts.factories import TeamMemberFactory, UserFactory
from tests.browser.test_journey_requests import log_in, log_out
from tests.ddi.factories import MinistryFactory, ProgrammeFactory
from tests.partners.factories import PartnerFactory
from tests.support.factories import SupportRequestFactory

pytestmark = pytest.mark.browser

PARIS = ZoneInfo("Europe/Paris")


def coming_monday(hour: int) -> datetime:
    """A coming Monday whose week starts with three working days (no public holiday)."""
    today = timezone.localdate()
    monday = today + timedelta(days=7 + (7 - today.weekday()) % 7)
    while not all(is_working_day(monday + timedelta(days=n)) for n in range(3)):
        monday += timedelta(days=7)
    return datetime.combine(monday, time(hour), tzinfo=PARIS)


def test_escalation_to_maaprat_reminded_answered_and_measured(page, screenshot):
    maaprat = MinistryFactory(code="MAAPRAT", name="Ministère de l'agriculture")
    programme = ProgrammeFactory(code="206", label="Sécurité sanitaire", ministry=maaprat)
    partner = PartnerFactory(
        code="equipe-chorus-maaprat",
        name="Équipe Chorus du MAAPRAT",
        kind=PartnerKind.MINISTRY,
        mailbox="chorus-maaprat@example.org",
        response_hours=18,
        reminder_max=2,
    )
    partner.ministries.set([maaprat])
    partner.programmes.set([programme])
    # Another ministry's team: not suggested for programme 206.
    PartnerFactory(code="equipe-chorus-meddtl", name="Équipe Chorus du MEDDTL")
    member = TeamMemberFactory(user__first_name="Isabelle", user__last_name="Carpentier").user
    pilot = TeamMemberFactory(user=UserFactory(pilot=True, first_name="Hélène")).user
    monday = coming_monday(10)

    with time_machine.travel(monday, tick=True):
        support_request = SupportRequestFactory(
            programme=programme,
            assignee=member,
            status=Status.IN_PROGRESS,
            title="Demande de paiement rejetée sur un EJ de contrôle sanitaire",
        )
        reference = support_request.reference
        log_in(page, member.email)
        page.goto(f"/demandes/{reference}/")
        page.locator("#panneau-escalader summary").click()
        panel = page.locator("#panneau-escalader")
        # The programme's ministry team is suggested first, and chosen already.
        expect(panel.locator("select[name=partner]")).to_have_value(str(partner.pk))
        expect(panel).to_contain_text("programme 206")
        panel.get_by_label("Ce que vous demandez au partenaire").fill(
            "La DP 2100045871 est rejetée par le contrôle sanitaire : pouvez-vous vérifier "
            "le flux de l'EJ ?"
        )
        screenshot("escalade-formulaire")
        panel.get_by_role("button", name="Escalader la demande").click()
        current = page.locator("#escalade-en-cours")
        expect(current).to_contain_text("Équipe Chorus du MAAPRAT")
        expect(page.locator("#badges-demande")).to_contain_text("Escaladée")

        # The partner's ticket number, noted from their acknowledgement.
        page.locator("#panneau-ticket-partenaire summary").click()
        page.get_by_label("Numéro de ticket du partenaire").fill("INC-2011-4471")
        page.get_by_role("button", name="Enregistrer le numéro").click()
        expect(page.locator("#escalade-en-cours")).to_contain_text("INC-2011-4471")
        log_out(page)

    escalation = Escalation.objects.get(request__reference=reference)
    # The partner's clock: 18 working hours from Monday 10:00 is Wednesday 10:00.
    expected = timezone.localtime(escalation.expected_at).replace(second=0, microsecond=0)
    assert expected == monday + timedelta(days=2)
    sent = Notification.objects.get(kind="escalation")
    assert sent.to_address == "chorus-maaprat@example.org"
    assert SupportRequest.objects.get(reference=reference).sla_paused_at is not None

    # Wednesday 11:00: the partner is late; the reminder job reminds it once.
    wednesday = monday + timedelta(days=2, hours=1)
    with time_machine.travel(wednesday, tick=True):
        escalations_remind()
        escalations_remind()  # a second run sends nothing more
        reminders = Notification.objects.filter(kind="escalation_reminder")
        assert [r.to_address for r in reminders] == ["chorus-maaprat@example.org"]

        log_in(page, member.email)
        page.goto(f"/demandes/{reference}/")
        expect(page.locator("#escalade-echeance")).to_contain_text("En retard")
        expect(page.locator("#escalade-en-cours")).to_contain_text("1 relance envoyée")
        screenshot("escalade-en-retard")

        # The partner answers by e-mail; the member records it: back « en cours ».
        page.locator("#panneau-reponse-partenaire summary").click()
        page.get_by_label("Réponse du partenaire").fill(
            "Le flux a été rejoué ce matin : la DP est de nouveau au contrôle."
        )
        page.get_by_role("button", name="Enregistrer la réponse").click()
        expect(page.locator("#badges-demande")).to_contain_text("En cours")
        expect(page.locator("main")).to_contain_text("Le flux a été rejoué ce matin")
        expect(page.locator("#escalade-en-cours")).to_have_count(0)
        screenshot("escalade-repondue")
        log_out(page)

        answered = SupportRequest.objects.get(reference=reference)
        assert answered.status == Status.IN_PROGRESS
        assert answered.sla_paused_at is None

        # The pilot sees the partner's response time: 19 working hours (and a bit).
        log_in(page, pilot.email)
        page.goto("/pilotage/partenaires/")
        row = page.locator("tr", has_text="Équipe Chorus du MAAPRAT").first
        expect(row).to_contain_text("19,0")
        screenshot("pilotage-partenaires")
