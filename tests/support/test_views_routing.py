"""The routing page (`/equipe/regles/`) and the confirmation of a proposed assignee on the
request page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accompagnement.accounts.models import Absence
from accompagnement.axes.models import Axis
from accompagnement.support.enums import EventKind
from accompagnement.support.models import SupportRequest
from accompagnement.support.team_models import RoutingRule, TeamSettings
from tests.accounts.factories import TeamMemberFactory, UserFactory
from tests.support.factories import CategoryFactory, SupportRequestFactory

pytestmark = pytest.mark.django_db

URL = "/equipe/regles/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


@pytest.fixture
def colleague():
    return TeamMemberFactory(
        user=UserFactory(member=True, first_name="Nadia", last_name="Benali")
    ).user


@pytest.fixture
def year_end_rule(colleague):
    rule = RoutingRule.objects.create(name="Fin de gestion", position=10, axis=Axis.YEAR_END)
    rule.members.set([colleague])
    return rule


# ---------------------------------------------------------------------------- the page


def test_members_read_the_rules_and_the_switch(client, member, year_end_rule, colleague):
    today = timezone.localdate()
    Absence.objects.create(
        member=colleague.team_profile, start=today, end=today + timedelta(days=2)
    )
    client.force_login(member)

    html = client.get(URL).content.decode()

    assert "Fin de gestion" in html and "Nadia Benali" in html
    assert "absent jusqu’au" in html
    assert "Activée : les nouvelles demandes sont attribuées" in html
    # Reading only.
    assert reverse("support:routing_rule_create") not in html
    assert reverse("support:auto_assign_switch") not in html
    assert reverse("support:routing_rule_update", args=[year_end_rule.pk]) not in html


def test_the_pilot_sees_the_switch_and_the_edit_links(client, pilot, year_end_rule):
    client.force_login(pilot)
    html = client.get(URL).content.decode()
    assert reverse("support:routing_rule_create") in html
    assert reverse("support:auto_assign_switch") in html
    assert reverse("support:routing_rule_update", args=[year_end_rule.pk]) in html


def test_the_pilot_creates_a_rule(client, pilot, colleague, member):
    category = CategoryFactory(axis=Axis.PROCESS, name="Services faits")
    client.force_login(pilot)

    response = client.post(
        reverse("support:routing_rule_create"),
        {
            "name": "Services faits",
            "position": "5",
            "is_active": "on",
            "axis": "",
            "category": category.pk,
            "programme": "",
            "ddi_kind": "DDT",
            "members": [colleague.pk, member.pk],
        },
    )

    assert response.status_code == 302
    assert messages_of(response) == ["Règle « Services faits » créée."]
    rule = RoutingRule.objects.get()
    assert (rule.position, rule.axis, rule.category, rule.ddi_kind) == (
        5,
        Axis.PROCESS,
        category,
        "DDT",
    )
    assert set(rule.members.all()) == {colleague, member}


def test_a_rule_form_says_what_is_wrong(client, pilot, agent):
    client.force_login(pilot)
    response = client.post(
        reverse("support:routing_rule_create"),
        {
            "name": "Mauvaise",
            "position": "1",
            "axis": Axis.TOOL,
            "category": CategoryFactory(axis=Axis.YEAR_END).pk,
            "members": [agent.pk],
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    # An agent is not even offered.
    assert "Sélectionnez un choix valide" in html
    assert not RoutingRule.objects.exists()

    response = client.post(
        reverse("support:routing_rule_create"),
        {
            "name": "Mauvaise",
            "position": "1",
            "axis": Axis.TOOL,
            "category": CategoryFactory(axis=Axis.YEAR_END).pk,
            "members": [pilot.pk],
        },
    )
    assert response.status_code == 400
    assert "Cette catégorie ne relève pas de l’axe choisi." in response.content.decode()
    assert not RoutingRule.objects.exists()


def test_the_pilot_changes_then_removes_a_rule(client, pilot, year_end_rule, member):
    url = reverse("support:routing_rule_update", args=[year_end_rule.pk])
    client.force_login(pilot)
    assert 'value="Fin de gestion"' in client.get(url).content.decode()

    response = client.post(
        url, {"name": "Fin de gestion", "position": "10", "axis": "", "members": [member.pk]}
    )

    assert response.status_code == 302
    year_end_rule.refresh_from_db()
    assert (year_end_rule.is_active, year_end_rule.axis) == (False, "")
    assert list(year_end_rule.members.all()) == [member]

    response = client.post(reverse("support:routing_rule_delete", args=[year_end_rule.pk]))
    assert response.status_code == 302
    assert not RoutingRule.objects.exists()


def test_the_pilot_switches_automatic_assignment_off_and_on(client, pilot, member):
    client.force_login(pilot)
    url = reverse("support:auto_assign_switch")

    response = client.post(url, {"auto_assign": "off"})
    assert response.status_code == 302
    assert TeamSettings.current().auto_assign is False
    assert "ne sont plus attribuées automatiquement" in messages_of(response)[0]
    client.force_login(member)
    assert "Désactivée : les règles proposent un membre" in client.get(URL).content.decode()

    client.force_login(pilot)
    client.post(url, {"auto_assign": "on"})
    assert TeamSettings.current().auto_assign is True


# ---------------------------------------------------------------------------- proposals


@pytest.fixture
def proposed(colleague):
    return SupportRequestFactory(proposed_assignee=colleague)


def test_the_request_page_offers_to_confirm_the_proposal(client, member, proposed):
    client.force_login(member)
    html = client.get(reverse("support:detail", args=[proposed.reference])).content.decode()
    assert "Les règles d’attribution proposent <strong>Nadia Benali</strong>" in html
    assert "Confirmer l’attribution" in html
    assert "Attribuée à : personne (proposée à Nadia Benali)" in html
    assert reverse("support:accept_proposal", args=[proposed.reference]) in html


def test_no_confirmation_without_a_proposal(client, member):
    request = SupportRequestFactory()
    client.force_login(member)
    html = client.get(reverse("support:detail", args=[request.reference])).content.decode()
    assert "Confirmer l’attribution" not in html


def test_one_click_assigns_the_proposed_member(client, member, proposed, colleague):
    client.force_login(member)

    response = client.post(
        reverse("support:accept_proposal", args=[proposed.reference]),
        {"version": proposed.version},
    )

    assert response.status_code == 302
    assert messages_of(response) == ["La demande est attribuée à Nadia Benali."]
    fresh = SupportRequest.objects.get(pk=proposed.pk)
    assert (fresh.assignee, fresh.proposed_assignee) == (colleague, None)
    event = fresh.events.get(kind=EventKind.ASSIGNED)
    assert (event.actor, event.is_public) == (member, True)


def test_confirming_with_htmx_answers_the_panel(client, member, proposed):
    client.force_login(member)
    response = client.post(
        reverse("support:accept_proposal", args=[proposed.reference]),
        {"version": proposed.version},
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "La demande est attribuée à Nadia Benali." in html
    assert "Confirmer l’attribution" not in html


def test_a_stale_confirmation_is_not_saved(client, member, proposed):
    client.force_login(member)
    response = client.post(
        reverse("support:accept_proposal", args=[proposed.reference]),
        {"version": proposed.version - 1 if proposed.version > 1 else 99},
    )
    assert response.status_code == 302
    assert SupportRequest.objects.get(pk=proposed.pk).assignee is None
