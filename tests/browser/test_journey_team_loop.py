"""The team's daily loop in a real browser: a request filed on a Sunday morning lands with
the referent of its programme's ministry, who is alerted, corrects its category, answers
with a canned answer and « send and set resolved »; the agent's later message on the
closed request reopens it.

The server's clock is moved with time-machine (the live server runs in this process):
always to a coming Sunday, so that the session cookies the browser keeps are not already
expired by its own clock.
"""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from accompagnement.axes.models import Axis
from accompagnement.support.enums import Status
from accompagnement.support.models import SupportRequest
from accompagnement.support.services.requests import support_request_transition
from accompagnement.support.team_models import CannedResponse
from tests.accounts.factories import TeamMemberFactory, UserFactory
from tests.browser.test_journey_requests import log_in, log_out
from tests.ddi.factories import AttachmentFactory, MinistryFactory, ProgrammeFactory
from tests.support.factories import CategoryFactory

pytestmark = pytest.mark.browser

PARIS = ZoneInfo("Europe/Paris")


def coming_sunday_morning() -> datetime:
    today = timezone.localdate()
    sunday = today + timedelta(days=(6 - today.weekday()) or 7)
    return datetime.combine(sunday, time(6, 4), tzinfo=PARIS)


def test_sunday_request_routed_corrected_answered_resolved_then_reopened(page, screenshot):
    agriculture = MinistryFactory(code="MAA", name="Ministère de l'agriculture")
    programme = ProgrammeFactory(
        code="206", label="Sécurité et qualité sanitaires", ministry=agriculture
    )
    agent = UserFactory(first_name="Camille", last_name="Rousseau")
    AttachmentFactory(ddi=agent.ddi, programme=programme)
    referent = TeamMemberFactory(
        user__first_name="Isabelle", user__last_name="Carpentier", referent_ministry=agriculture
    ).user
    # Another member, referent of nothing: the routing must not pick them.
    TeamMemberFactory(user__first_name="Karim", user__last_name="Benali")
    CategoryFactory(axis=Axis.TOOL, name="Engagements juridiques")
    CategoryFactory(axis=Axis.TOOL, name="Service fait")
    CannedResponse.objects.create(
        title="Service fait : dates à vérifier",
        body="Bonjour {demandeur}, le service fait de la demande {reference} est débloqué.",
        axis=Axis.TOOL,
    )
    sunday = coming_sunday_morning()
    monday = sunday + timedelta(days=1, hours=4)  # 10:04

    with time_machine.travel(sunday, tick=True):
        log_in(page, agent.email)
        page.goto("/demandes/nouvelle/")
        page.locator("label", has_text="Maîtrise de l'outil Chorus").click()
        page.get_by_label("Catégorie").select_option(label="Engagements juridiques")
        page.get_by_label("Titre").fill("Service fait impossible sur un EJ de contrôle sanitaire")
        page.get_by_label("Description").fill("Le service fait est refusé depuis vendredi.")
        page.get_by_label("Programme budgétaire").select_option(value=str(programme.pk))
        page.get_by_role("button", name="Envoyer la demande").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(
            "Votre demande est enregistrée"
        )
        reference = re.search(r"ACC-\d{4}-\d{5}", page.content()).group(0)
        log_out(page)

    filed = SupportRequest.objects.get(reference=reference)
    # Routed to the referent of the programme's ministry, and the clock waits for Monday.
    assert filed.assignee == referent
    assert timezone.localtime(filed.sla_started_at).replace(tzinfo=None) == datetime.combine(
        sunday.date() + timedelta(days=1), time(9, 0)
    )

    with time_machine.travel(monday, tick=True):
        log_in(page, referent.email)
        # The referent is alerted: the header counts it, the list names the request.
        notifications = page.get_by_role("link", name=re.compile("Notifications"))
        expect(notifications.first).to_contain_text("1")
        notifications.first.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Notifications")
        expect(page.locator("main")).to_contain_text(reference)
        screenshot("notifications-membre")
        page.get_by_role("link", name=re.compile(reference)).first.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Service fait impossible")

        # The category was wrong: the referent corrects it.
        page.locator("#panneau-trier summary").click()
        page.locator("#panneau-trier").get_by_label("Catégorie").select_option(label="Service fait")
        page.get_by_role("button", name="Enregistrer les corrections").click()
        expect(page.locator("#suivi-demande")).to_contain_text("Service fait")

        # A canned answer, then « send and set resolved » in one click.
        page.get_by_label("Partir d’une réponse type").select_option(
            label="Service fait : dates à vérifier"
        )
        page.get_by_role("button", name="Insérer").click()
        expect(page.get_by_label("Votre message")).to_have_value(
            re.compile(f"Bonjour Camille Rousseau, le service fait de la demande {reference}")
        )
        screenshot("demande-triee-reponse-type")
        page.get_by_role("button", name="Envoyer et marquer résolue").click()
        expect(page.locator("#badges-demande")).to_contain_text("Résolue")
        log_out(page)

    resolved = SupportRequest.objects.get(reference=reference)
    assert resolved.category.name == "Service fait"
    assert resolved.status == Status.RESOLVED
    assert resolved.first_response_at is not None

    # Days later the request is closed (the automatic closing after resolution)…
    with time_machine.travel(monday + timedelta(days=3), tick=True):
        support_request_transition(request=resolved, user=None, to_status=Status.CLOSED)
        # …and the agent writes again: the message reopens it, nothing is lost.
        log_in(page, agent.email)
        page.goto(f"/demandes/{reference}/")
        page.get_by_label("Votre message").fill("Le service fait est de nouveau refusé ce matin.")
        page.get_by_role("button", name="Envoyer ma réponse").click()
        expect(page.get_by_text("de nouveau refusé ce matin")).to_be_visible()
        expect(page.locator("#badges-demande")).to_contain_text("En cours")
        screenshot("demande-cloturee-rouverte")

    reopened = SupportRequest.objects.get(reference=reference)
    assert reopened.status == Status.IN_PROGRESS
    assert reopened.reopened_count == 1
