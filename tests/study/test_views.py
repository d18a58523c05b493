"""The optimisation study's pages: who reads, who edits, what the page tells, and a fixed
number of queries."""

from datetime import date

import pytest
from django.urls import reverse

from accompagnement.study.models import Diagnostic, Experiment, Recommendation
from ddi.enums import DDIKind
from tests.accounts.factories import TeamMemberFactory, UserFactory
from tests.ddi.factories import DDIFactory
from tests.study.factories import (
    DiagnosticFactory,
    ExperimentFactory,
    RecommendationFactory,
    StudyFactory,
    StudyPhaseFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def study():
    # The most recent study is the one the pages follow (the seeded 2011 one is older).
    return StudyFactory(title="Étude d'optimisation de test")


@pytest.fixture
def member():
    return TeamMemberFactory().user


@pytest.fixture
def pilot():
    return TeamMemberFactory(user=UserFactory(pilot=True)).user


def html(response):
    return response.content.decode()


def test_agents_get_403_until_the_pilot_opens_the_study(client, study, pilot):
    agent = UserFactory()
    client.force_login(agent)
    assert client.get(reverse("study:index")).status_code == 403

    client.force_login(pilot)
    response = client.post(reverse("study:visibility"), {"visible_to_agents": "on"})
    assert response.status_code == 302
    study.refresh_from_db()
    assert study.visible_to_agents

    client.force_login(agent)
    page = client.get(reverse("study:index"))
    assert page.status_code == 200
    assert "Étude d&#x27;optimisation de test" in html(page)
    # Read only: no edit link, and the forms stay closed.
    assert reverse("study:diagnostic_create") not in html(page)
    assert client.get(reverse("study:diagnostic_create")).status_code == 403
    recommendation = RecommendationFactory(study=study)
    assert (
        client.post(reverse("study:recommendation_update", args=[recommendation.pk])).status_code
        == 403
    )


def test_only_the_pilot_opens_the_study_to_agents(client, study, member):
    client.force_login(member)
    assert client.post(reverse("study:visibility"), {"visible_to_agents": "on"}).status_code == 403
    study.refresh_from_db()
    assert not study.visible_to_agents
    page = html(client.get(reverse("study:index")))
    assert reverse("study:visibility") not in page


def test_the_page_says_what_is_missing_from_the_mix(client, study, member):
    for kind in ("DDCS", "DDCS", "DDPP", "DDCSPP", "DDCSPP", "DDTM"):
        DiagnosticFactory(study=study, kind=kind)
    client.force_login(member)
    page = html(client.get(reverse("study:index")))
    assert "Il manque 1 DDPP" in page
    assert "Il manque 3 DDI pilotes (3 attendues)." in page

    DiagnosticFactory(study=study, kind=DDIKind.DDPP)
    page = html(client.get(reverse("study:index")))
    assert "Il manque" not in page.split('id="ddi-pilotes"')[0]
    assert "Le panel de DDI analysées est complet." in page


def test_phases_show_their_state_against_today(client, study, member):
    StudyPhaseFactory(study=study, start_date=date(2000, 1, 1), end_date=date(2000, 12, 31))
    client.force_login(member)
    page = html(client.get(reverse("study:index")))
    assert "Terminée" in page
    assert 'value="100"' in page


def test_a_member_adds_a_diagnostic(client, study, member):
    ddi = DDIFactory(kind=DDIKind.DDCSPP)
    client.force_login(member)
    assert client.get(reverse("study:diagnostic_create")).status_code == 200
    response = client.post(
        reverse("study:diagnostic_create"),
        {
            "ddi": ddi.pk,
            "status": "in_progress",
            "start_date": "2011-10-03",
            "end_date": "",
            "findings": "- Trois CSP différents pour cinq programmes",
        },
        follow=True,
    )
    diagnostic = Diagnostic.objects.get(study=study, ddi=ddi)
    assert diagnostic.start_date == date(2011, 10, 3)
    assert "Trois CSP différents pour cinq programmes" in html(response)
    assert "Le diagnostic de" in html(response)


def test_a_ddi_is_analysed_once_and_dates_stay_in_order(client, study, member):
    existing = DiagnosticFactory(study=study)
    client.force_login(member)
    response = client.post(
        reverse("study:diagnostic_create"),
        {
            "ddi": existing.ddi_id,
            "status": "planned",
            "start_date": "2011-11-02",
            "end_date": "2011-10-01",
            "findings": "",
        },
    )
    assert response.status_code == 200
    page = html(response)
    assert "a déjà un diagnostic dans cette étude." in page
    assert "La fin ne peut pas précéder le début." in page
    assert Diagnostic.objects.filter(study=study).count() == 1


def test_a_member_edits_a_diagnostic(client, study, member):
    diagnostic = DiagnosticFactory(study=study)
    client.force_login(member)
    url = reverse("study:diagnostic_update", args=[diagnostic.pk])
    assert diagnostic.findings in html(client.get(url))
    client.post(url, {"ddi": diagnostic.ddi_id, "status": "done", "findings": "Fini."})
    diagnostic.refresh_from_db()
    assert (diagnostic.status, diagnostic.findings) == ("done", "Fini.")


def test_a_recommendation_is_tried_in_a_pilot_ddi(client, study, member):
    client.force_login(member)
    client.post(
        reverse("study:recommendation_create"),
        {
            "title": "Un interlocuteur unique au CSP",
            "axis": "practices",
            "status": "adopted",
            "text": "Chaque DDI connaît **un** interlocuteur par CSP.",
        },
    )
    recommendation = Recommendation.objects.get(study=study)
    pilot_ddi = DDIFactory(kind=DDIKind.DDT)
    url = reverse("study:experiment_create", args=[recommendation.pk])
    refused = client.post(url, {"ddi": pilot_ddi.pk, "status": "done", "outcome": ""})
    assert "Indiquez le résultat d’une expérimentation terminée ou abandonnée." in html(refused)
    client.post(
        url, {"ddi": pilot_ddi.pk, "status": "done", "outcome": "Délais de paiement réduits."}
    )
    experiment = Experiment.objects.get(recommendation=recommendation)
    assert experiment.ddi == pilot_ddi
    page = html(client.get(reverse("study:index")))
    assert "Un interlocuteur unique au CSP" in page
    assert "<strong>un</strong>" in page
    assert "Délais de paiement réduits." in page
    assert pilot_ddi.acronym in page

    twice = client.post(url, {"ddi": pilot_ddi.pk, "status": "planned", "outcome": ""})
    assert "Cette recommandation est déjà expérimentée à" in html(twice)
    assert Experiment.objects.count() == 1


def test_unknown_objects_are_404_for_the_team(client, study, member):
    client.force_login(member)
    assert client.get(reverse("study:diagnostic_update", args=[999999])).status_code == 404
    assert client.get(reverse("study:experiment_update", args=[999999])).status_code == 404
    assert client.get(reverse("study:experiment_create", args=[999999])).status_code == 404


def test_overview_runs_a_fixed_number_of_queries(client, study, pilot, django_assert_num_queries):
    def grow(n):
        for _ in range(n):
            DiagnosticFactory(study=study)
            recommendation = RecommendationFactory(study=study)
            ExperimentFactory(recommendation=recommendation)
            ExperimentFactory(recommendation=recommendation)
        StudyPhaseFactory(study=study, kind=["analysis", "recommendations", "experimentation"][n])

    client.force_login(pilot)
    grow(1)
    # Session, user, study, phases, diagnostics, recommendations, their experiments.
    with django_assert_num_queries(7):
        assert client.get(reverse("study:index")).status_code == 200
    grow(2)
    with django_assert_num_queries(7):
        page = client.get(reverse("study:index"))
    assert html(page).count('id="diagnostic-') == 3
    assert html(page).count('id="experimentation-') == 6
