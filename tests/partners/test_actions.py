"""The register of the partners' support actions: who sees it, its filters and order, a
fixed number of queries, and recording or correcting an action through the form."""

from datetime import date

import pytest
from django.urls import reverse

from accompagnement.axes.models import Axis
from accompagnement.partners.enums import PartnerKind, SupportActionKind, SupportActionStatus
from accompagnement.partners.models import SupportAction
from ddi.enums import DDIKind
from tests.ddi.factories import DepartmentFactory, ProgrammeFactory, RegionFactory
from tests.partners.factories import PartnerFactory, SupportActionFactory

pytestmark = pytest.mark.django_db


def body(response) -> str:
    return response.content.decode()


@pytest.fixture
def maaprat():
    return PartnerFactory(code="equipe-chorus-maaprat", name="Équipe Chorus du MAAPRAT")


@pytest.fixture
def aife():
    return PartnerFactory(code="aife", name="AIFE", kind=PartnerKind.AIFE)


def _with_audience(action, *, regions=(), departments=(), programmes=()):
    action.regions.set(regions)
    action.departments.set(departments)
    action.programmes.set(programmes)
    return action


def _many_actions(owner, count, region):
    for n in range(count):
        _with_audience(
            SupportActionFactory(
                owner=owner, title=f"Formation restitutions n°{n}", ddi_kinds=["DDCS", "DDPP"]
            ),
            regions=[region],
            departments=[DepartmentFactory()],
            programmes=[ProgrammeFactory()],
        )


# ---------------------------------------------------------------------------- the register


@pytest.mark.parametrize("role", ["member", "pilot"])
def test_the_team_reads_the_register_in_a_fixed_number_of_queries(
    client, users_by_role, role, maaprat, django_assert_num_queries
):
    region = RegionFactory(name="Bretagne")
    _many_actions(maaprat, 3, region)
    client.force_login(users_by_role[role])
    # session, user, owners (filter form), count, actions, regions, departments, programmes
    with django_assert_num_queries(8):
        page = client.get(reverse("partners:actions"))
    assert page.status_code == 200
    _many_actions(maaprat, 12, region)
    with django_assert_num_queries(8):
        page = client.get(reverse("partners:actions"))
    html = body(page)
    assert html.count("Formation restitutions n°") == 15
    assert "DDCS, DDPP · Bretagne" in html


def test_an_agent_is_refused_the_register(client, agent):
    client.force_login(agent)
    assert client.get(reverse("partners:actions")).status_code == 403


def test_the_register_is_sorted_by_start_date_latest_first(client, member, maaprat):
    SupportActionFactory(owner=maaprat, title="Action d’octobre", starts_on=date(2011, 10, 3))
    SupportActionFactory(owner=maaprat, title="Action de décembre", starts_on=date(2011, 12, 5))
    SupportActionFactory(owner=maaprat, title="Action de novembre", starts_on=date(2011, 11, 7))
    client.force_login(member)
    html = body(client.get(reverse("partners:actions")))
    positions = [html.index(f"Action {m}") for m in ("de décembre", "de novembre", "d’octobre")]
    assert positions == sorted(positions)


def test_the_register_filters_by_owner_axis_status_kind_and_period(client, member, maaprat, aife):
    SupportActionFactory(owner=maaprat, title="Formation MAAPRAT", axis=Axis.TOOL)
    SupportActionFactory(owner=aife, title="Note AIFE", axis=Axis.YEAR_END)
    SupportActionFactory(owner=aife, title="Visite annulée", status=SupportActionStatus.CANCELLED)
    SupportActionFactory(owner=aife, title="Campagne des DDT", ddi_kinds=[DDIKind.DDT])
    SupportActionFactory(
        owner=aife,
        title="Session de janvier",
        starts_on=date(2012, 1, 10),
        ends_on=date(2012, 1, 12),
    )
    client.force_login(member)

    def titles(**params):
        html = body(client.get(reverse("partners:actions"), params))
        return {
            t
            for t in (
                "Formation MAAPRAT",
                "Note AIFE",
                "Visite annulée",
                "Campagne des DDT",
                "Session de janvier",
            )
            if t in html
        }

    assert titles(porteur=maaprat.pk) == {"Formation MAAPRAT"}
    assert titles(axe="year_end") == {"Note AIFE"}
    assert titles(etat="cancelled") == {"Visite annulée"}
    # An action for every kind reaches a DDCS; the DDTs' campaign does not.
    assert "Campagne des DDT" not in titles(type_ddi="DDCS")
    assert "Campagne des DDT" in titles(type_ddi="DDT")
    assert titles(du="2012-01-11", au="2012-01-31") == {"Session de janvier"}


def test_a_tampered_filter_is_ignored(client, member, maaprat):
    SupportActionFactory(owner=maaprat, title="Formation MAAPRAT")
    client.force_login(member)
    page = client.get(reverse("partners:actions"), {"porteur": "999999999999999999999"})
    assert page.status_code == 200
    assert "Formation MAAPRAT" in body(page)


def test_an_empty_register_says_so(client, member):
    client.force_login(member)
    assert "Aucune action enregistrée pour l’instant" in body(
        client.get(reverse("partners:actions"))
    )


# ---------------------------------------------------------------------------- the form


def _form_data(owner, **changes):
    data = {
        "owner": owner.pk,
        "title": "Formation Chorus Formulaires des DDCSPP",
        "kind": SupportActionKind.TRAINING,
        "axis": Axis.TOOL,
        "description": "Deux demi-journées en visioconférence.",
        "ddi_kinds": ["DDCSPP"],
        "starts_on": "2011-11-15",
        "ends_on": "2011-11-16",
        "status": SupportActionStatus.PLANNED,
        "external_id": "",
    }
    data.update(changes)
    return data


def test_a_member_records_an_action_with_its_audience(client, member, maaprat):
    region = RegionFactory(name="Auvergne")
    programme = ProgrammeFactory(code="206")
    client.force_login(member)
    response = client.post(
        reverse("partners:action_create"),
        _form_data(maaprat, regions=[region.pk], programmes=[programme.pk]),
    )
    assert response.status_code == 302
    action = SupportAction.objects.get()
    assert (action.owner, action.created_by, action.ddi_kinds) == (maaprat, member, ["DDCSPP"])
    assert list(action.regions.all()) == [region]
    assert list(action.programmes.all()) == [programme]
    page = client.get(response.url)
    assert "Action « Formation Chorus Formulaires des DDCSPP » enregistrée." in body(page)
    assert "DDCSPP · Auvergne · programme 206" in body(page)


def test_an_end_before_the_start_is_refused_in_french(client, member, maaprat):
    client.force_login(member)
    response = client.post(
        reverse("partners:action_create"),
        _form_data(maaprat, starts_on="2011-11-15", ends_on="2011-11-01"),
    )
    assert response.status_code == 200
    assert "La fin ne peut pas précéder le début." in body(response)
    assert not SupportAction.objects.exists()


def test_an_empty_form_shows_its_errors(client, member, maaprat):
    client.force_login(member)
    response = client.post(reverse("partners:action_create"), {})
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in body(response)


def test_only_ministries_and_the_aife_carry_actions(client, member, maaprat):
    csp = PartnerFactory(name="CPCM de Bretagne", kind=PartnerKind.CSP)
    client.force_login(member)
    page = body(client.get(reverse("partners:action_create")))
    assert "Équipe Chorus du MAAPRAT" in page
    assert "CPCM de Bretagne" not in page
    response = client.post(reverse("partners:action_create"), _form_data(csp))
    assert response.status_code == 200
    assert not SupportAction.objects.exists()


def test_an_identifier_is_unique_per_owner(client, member, maaprat):
    SupportActionFactory(owner=maaprat, external_id="F-12")
    client.force_login(member)
    response = client.post(
        reverse("partners:action_create"), _form_data(maaprat, external_id="F-12")
    )
    assert response.status_code == 200
    assert "Ce porteur a déjà une action sous cet identifiant" in body(response)
    assert SupportAction.objects.count() == 1


def test_the_pilot_corrects_an_action(client, pilot, maaprat, aife):
    action = _with_audience(
        SupportActionFactory(owner=maaprat, title="Formation"), regions=[RegionFactory()]
    )
    client.force_login(pilot)
    page = client.get(reverse("partners:action_update", args=[action.pk]))
    assert 'value="Formation"' in body(page)
    response = client.post(
        reverse("partners:action_update", args=[action.pk]),
        _form_data(aife, title="Formation reportée", status=SupportActionStatus.CANCELLED),
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.owner, action.title, action.status) == (
        aife,
        "Formation reportée",
        SupportActionStatus.CANCELLED,
    )
    assert not action.regions.exists()


def test_an_inactive_owner_stays_on_its_own_actions(client, member):
    retired = PartnerFactory(name="Ancienne équipe", active=False)
    action = SupportActionFactory(owner=retired)
    client.force_login(member)
    assert "Ancienne équipe" in body(
        client.get(reverse("partners:action_update", args=[action.pk]))
    )
    assert "Ancienne équipe" not in body(client.get(reverse("partners:action_create")))


def test_an_unknown_action_is_a_404(client, member):
    client.force_login(member)
    assert client.get(reverse("partners:action_update", args=[987654])).status_code == 404
