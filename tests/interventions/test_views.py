"""The interventions' pages: what each role sees, registering through the page, the
calendar, attendance and feedback, the pilot's coverage, and fixed query counts."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from accompagnement.axes.models import Axis
from accompagnement.interventions.models import (
    Feedback,
    Intervention,
    InterventionStatus,
    Registration,
)
from accompagnement.outbox.models import Notification
from ddi.enums import DDIKind
from tests.accounts.factories import UserFactory
from tests.ddi.factories import DDIFactory, DepartmentFactory, RegionFactory
from tests.interventions.factories import InterventionFactory, RegistrationFactory
from tests.support.factories import CategoryFactory, SupportRequestFactory

PARIS = ZoneInfo("Europe/Paris")


def body(response) -> str:
    return response.content.decode()


# ---------------------------------------------------------------------------- lists


def _many_sessions(ddi, count=6):
    for n in range(count):
        session = InterventionFactory(
            topics=[CategoryFactory()], speakers=[UserFactory(member=True)], capacity=3
        )
        RegistrationFactory(intervention=session, person=UserFactory(ddi=ddi))
        RegistrationFactory(intervention=session, person=UserFactory(ddi=DDIFactory()))
        if n % 2:
            InterventionFactory(past=True, status=InterventionStatus.HELD)


@pytest.mark.parametrize("role", ["agent", "member"])
def test_the_list_takes_a_fixed_number_of_queries(
    client, users_by_role, role, django_assert_num_queries
):
    user = users_by_role[role]
    ddi = users_by_role["agent"].ddi
    _many_sessions(ddi, 2)
    client.force_login(user)
    # session, user, audience profile (agents), sessions and their four prefetches
    expected = {"agent": 8, "member": 7}[role]
    with django_assert_num_queries(expected):
        assert client.get(reverse("interventions:index")).status_code == 200
    _many_sessions(ddi, 8)
    with django_assert_num_queries(expected):
        page = client.get(reverse("interventions:index"))
    assert body(page).count("Atelier restitutions INF-BUD") >= 10


def test_an_agent_sees_only_the_sessions_for_their_ddi(client, agent):
    InterventionFactory(title="Atelier pour tous")
    InterventionFactory(title="Atelier des DDT", ddi_kinds=[DDIKind.DDT])
    InterventionFactory(title="Atelier en préparation", draft=True)
    client.force_login(agent)  # a DDPP
    html = body(client.get(reverse("interventions:index")))
    assert "Atelier pour tous" in html
    assert "Atelier des DDT" not in html
    assert "Atelier en préparation" not in html


def test_an_agent_never_sees_another_ddis_registrants(client, agent, member):
    session = InterventionFactory(capacity=5)
    colleague = UserFactory(ddi=agent.ddi, last_name="Collègue")
    stranger = UserFactory(ddi=DDIFactory(), last_name="Étrangère")
    RegistrationFactory(intervention=session, person=colleague)
    RegistrationFactory(intervention=session, person=stranger)
    client.force_login(agent)
    html = body(client.get(session.get_absolute_url()))
    assert "Collègue" in html
    assert "Étrangère" not in html
    assert stranger.ddi.name not in html
    client.force_login(member)
    html = body(client.get(session.get_absolute_url()))
    assert "Collègue" in html and "Étrangère" in html


# ---------------------------------------------------------------------------- registering


def test_an_agent_registers_a_colleague_from_the_page(client, agent):
    session = InterventionFactory()
    colleague = UserFactory(ddi=agent.ddi, first_name="Léa", last_name="Martin")
    client.force_login(agent)
    response = client.post(
        reverse("interventions:register", args=[session.pk]), {"person": colleague.pk}
    )
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert (registration.person, registration.registered_by) == (colleague, agent)
    page = client.get(session.get_absolute_url())
    assert "Léa Martin est inscrit(e)" in body(page)


def test_the_page_refuses_a_person_of_another_ddi(client, agent):
    session = InterventionFactory()
    stranger = UserFactory(ddi=DDIFactory())
    client.force_login(agent)
    response = client.post(
        reverse("interventions:register", args=[session.pk]), {"person": stranger.pk}
    )
    assert response.status_code == 400
    assert not Registration.objects.exists()


def test_a_full_session_offers_the_waiting_list(client, agent):
    session = InterventionFactory(capacity=1)
    RegistrationFactory(intervention=session, person=UserFactory(ddi=DDIFactory()))
    client.force_login(agent)
    html = body(client.get(session.get_absolute_url()))
    assert "Complète" in html
    assert "S’inscrire en liste d’attente" in html
    client.post(reverse("interventions:register", args=[session.pk]), {"person": agent.pk})
    assert Registration.objects.get(person=agent).waiting_rank == 1


# ---------------------------------------------------------------------------- calendar


def test_a_registered_session_is_on_the_calendar_page_and_in_the_feed(client, agent):
    confirmed = InterventionFactory(title="Atelier fin de gestion", capacity=1)
    waiting = InterventionFactory(title="Atelier complet", capacity=1)
    RegistrationFactory(intervention=confirmed, person=agent)
    RegistrationFactory(intervention=waiting, person=UserFactory())
    RegistrationFactory(intervention=waiting, person=agent, waiting_rank=1)
    client.force_login(agent)
    page = body(client.get(reverse("campaigns:index")))
    assert "Atelier fin de gestion" in page
    assert "Atelier complet" not in page
    feed = body(client.get(reverse("campaigns:ics")))
    assert f"UID:intervention-{confirmed.pk}@accompagnement-chorus" in feed
    assert f"intervention-{waiting.pk}@" not in feed


# ---------------------------------------------------------------------------- team


def _session_form(**overrides):
    start = timezone.localtime() + timedelta(days=15)
    data = {
        "title": "Webinaire : la clôture de gestion",
        "axis": Axis.YEAR_END,
        "format": "webinar",
        "link": "https://webinaire.example.org/cloture",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": 90,
        "capacity": 30,
        "registration_closes_at": (start - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        "ddi_kinds": [DDIKind.DDT, DDIKind.DDTM],
    }
    return {**data, **overrides}


def test_a_member_announces_a_session_as_a_draft_then_opens_it(client, member):
    client.force_login(member)
    response = client.post(reverse("interventions:create"), _session_form())
    session = Intervention.objects.get()
    assert response.url == session.get_absolute_url()
    assert session.status == InterventionStatus.DRAFT
    assert session.ddi_kinds == [DDIKind.DDT, DDIKind.DDTM]
    client.post(reverse("interventions:open", args=[session.pk]))
    session.refresh_from_db()
    assert session.status == InterventionStatus.OPEN


def test_the_session_form_refuses_registrations_closing_after_the_start(client, member):
    client.force_login(member)
    too_late = timezone.localtime() + timedelta(days=16)
    response = client.post(
        reverse("interventions:create"),
        _session_form(registration_closes_at=too_late.strftime("%Y-%m-%dT%H:%M")),
    )
    assert response.status_code == 200
    assert "au plus tard au début de la session" in body(response)
    assert not Intervention.objects.exists()


@pytest.mark.parametrize("capacity", ["32768", "99999999999999999999"])
def test_the_session_form_refuses_more_places_than_the_field_holds(client, member, capacity):
    # The model's range (a small integer) was checked in the service only: 500.
    client.force_login(member)
    response = client.post(reverse("interventions:create"), _session_form(capacity=capacity))
    assert response.status_code == 200
    assert "Indiquez au plus 32767 places." in body(response)
    assert not Intervention.objects.exists()


def test_the_session_form_refuses_a_link_longer_than_the_field_holds(client, member):
    client.force_login(member)
    link = "https://webinaire.example.org/" + "a" * 200
    response = client.post(reverse("interventions:create"), _session_form(link=link))
    assert response.status_code == 200
    assert "au plus 200 caractères" in body(response)
    assert not Intervention.objects.exists()


@pytest.mark.parametrize(
    ("starts_at", "closes_at"),
    [
        ("9999-12-31T23:59", "9999-12-30T23:59"),  # its end, after 9999-12-31, overflowed
        ("0001-01-02T00:00", "0001-01-01T00:00"),  # 0001-01-01 in UTC overflowed
        ("3000-01-01T10:00", "2999-12-30T10:00"),
    ],
)
@pytest.mark.parametrize("action", ["create", "update"])
def test_the_session_form_refuses_days_out_of_range_in_french(
    client, member, starts_at, closes_at, action
):
    client.force_login(member)
    session = InterventionFactory() if action == "update" else None
    url = reverse(f"interventions:{action}", args=[session.pk] if session else None)
    data = _session_form(starts_at=starts_at, registration_closes_at=closes_at)
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Indiquez une date entre le 01/01/1900 et le 31/12/2999." in body(response)
    assert Intervention.objects.count() == (1 if session else 0)
    assert client.get(reverse("interventions:index")).status_code == 200


def test_the_session_form_accepts_the_largest_capacity(client, member):
    client.force_login(member)
    client.post(reverse("interventions:create"), _session_form(capacity="32767"))
    assert Intervention.objects.get().capacity == 32767


def test_moving_a_session_from_the_page_informs_the_registrants(client, member, agent):
    session = InterventionFactory()
    RegistrationFactory(intervention=session, person=agent)
    client.force_login(member)
    data = _session_form(title=session.title)
    client.post(reverse("interventions:update", args=[session.pk]), data)
    assert Notification.objects.filter(kind="intervention_changed", recipient=agent).count() == 1


def test_attendance_then_the_attendee_gives_feedback_once(client, member, agent):
    session = InterventionFactory(past=True)
    came = RegistrationFactory(intervention=session, person=agent)
    absent = RegistrationFactory(intervention=session, person=UserFactory(ddi=agent.ddi))
    client.force_login(member)
    client.post(reverse("interventions:attendance", args=[session.pk]), {"attended": [came.pk]})
    came.refresh_from_db()
    absent.refresh_from_db()
    assert (came.attended, absent.attended) == (True, False)

    client.force_login(agent)
    detail = body(client.get(session.get_absolute_url()))
    assert "Donner mon avis" in detail
    url = reverse("interventions:feedback", args=[came.pk])
    client.post(url, {"score": 4, "comment": "Très concret"})
    client.post(url, {"score": 1, "comment": "Autre avis"})
    assert Feedback.objects.get().score == 4
    assert "déjà donné votre avis (4/5)" in body(client.get(url))
    client.force_login(member)
    assert "Satisfaction : 4,0/5 (1 avis)" in body(client.get(session.get_absolute_url()))


# ---------------------------------------------------------------------------- coverage


@pytest.fixture
def coverage_data(member):
    """Four DDIs; A attended a session on T1; C one on T1 and T2; B registered but absent;
    D never registered. Requests on each topic around their first session."""
    r1, r2 = RegionFactory(name="Bretagne"), RegionFactory(name="Corse")
    ddi_a = DDIFactory(kind=DDIKind.DDT, department=DepartmentFactory(region=r1), name="DDT A")
    ddi_b = DDIFactory(kind=DDIKind.DDPP, department=DepartmentFactory(region=r2), name="DDPP B")
    ddi_c = DDIFactory(kind=DDIKind.DDCS, department=DepartmentFactory(region=r1), name="DDCS C")
    ddi_d = DDIFactory(kind=DDIKind.DDT, department=DepartmentFactory(region=r1), name="DDT D")
    t1 = CategoryFactory(name="Restitutions")
    t2 = CategoryFactory(name="Chorus Formulaires")
    s1_at = datetime(2011, 10, 10, 10, 0, tzinfo=PARIS)
    s2_at = s1_at + timedelta(days=30)
    s1 = InterventionFactory(
        starts_at=s1_at, registration_closes_at=s1_at, topics=[t1], status="held"
    )
    s2 = InterventionFactory(
        starts_at=s2_at, registration_closes_at=s2_at, topics=[t1, t2], status="held"
    )
    agent = {d: UserFactory(ddi=d) for d in (ddi_a, ddi_b, ddi_c, ddi_d)}
    RegistrationFactory(intervention=s1, person=agent[ddi_a], attended=True)
    RegistrationFactory(intervention=s1, person=agent[ddi_b], attended=False)
    RegistrationFactory(intervention=s2, person=agent[ddi_c], attended=True)

    def requests(ddi, topic, *days_from):
        start = s1_at if ddi == ddi_a else s2_at
        for days in days_from:
            SupportRequestFactory(
                requester=agent[ddi], category=topic, created_at=start + timedelta(days=days)
            )

    requests(ddi_a, t1, -100, -10, 5, 89, 95)  # before 1, after 2
    requests(ddi_a, t2, 1)  # A never attended on T2
    requests(ddi_c, t1, -1)  # before 1, after 0
    requests(ddi_c, t2, 10, 20)  # before 0, after 2
    return {"a": ddi_a, "b": ddi_b, "c": ddi_c, "d": ddi_d}


def test_the_coverage_figures(coverage_data):
    from accompagnement.interventions.selectors import coverage_by_topic, ddis_never_attended

    figures = {
        topic.topic: [
            (row["ddi__name"], row["requests_before"], row["requests_after"]) for row in topic.rows
        ]
        for topic in coverage_by_topic()
    }
    assert figures == {
        "Chorus Formulaires": [("DDCS C", 0, 2)],
        "Restitutions": [("DDCS C", 1, 0), ("DDT A", 1, 2)],
    }
    groups = [(g.kind, g.region, [d.name for d in g.ddis]) for g in ddis_never_attended()]
    assert groups == [("DDPP", "Corse", ["DDPP B"]), ("DDT", "Bretagne", ["DDT D"])]


def test_the_pilot_sees_the_coverage_in_a_fixed_number_of_queries(
    client, pilot, coverage_data, django_assert_num_queries
):
    client.force_login(pilot)
    with django_assert_num_queries(4):  # session, user, coverage, DDIs never trained
        page = client.get(reverse("interventions:coverage"))
    html = body(page)
    assert "DDT A" in html and "DDCS C" in html
    assert "2 DDI n’ont assisté à aucune session" in html
