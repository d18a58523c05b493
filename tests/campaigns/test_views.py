"""The calendar screens: `/calendrier/` for an agent and for the team, marking a milestone
done, the iCalendar feed `/calendrier.ics` and its personal secret."""

import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from accompagnement.campaigns.models import Acknowledgement, CalendarToken
from ddi.enums import DDIKind
from tests.accounts.factories import UserFactory
from tests.campaigns.factories import AcknowledgementFactory, CampaignFactory, MilestoneFactory
from tests.ddi.factories import AttachmentFactory, DDIFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db

INDEX_URL = "/calendrier/"
FEED_URL = "/calendrier.ics"


def test_url_names():
    assert reverse("campaigns:index") == INDEX_URL
    assert reverse("campaigns:ics") == FEED_URL
    assert reverse("campaigns:acknowledge", args=[3]) == "/calendrier/jalons/3/fait/"
    assert reverse("campaigns:renew_token") == "/calendrier/abonnement/renouveler/"


def test_the_menu_links_to_the_calendar(client, agent):
    client.force_login(agent)
    html = client.get(INDEX_URL).content.decode()
    assert re.search(r'<a class="fr-nav__link" href="/calendrier/" aria-current="page">', html)


# ---------------------------------------------------------------------------- agent


@pytest.fixture
def agent_world(agent):
    """An agent of a DDPP, milestones in every state, one for the DDTs only."""
    today = timezone.localdate()
    campaign = CampaignFactory(fiscal_year=today.year, title="Fin de gestion de l'année")
    done = MilestoneFactory(
        campaign=campaign, title="Saisir les DA", due_date=today - timedelta(days=9)
    )
    AcknowledgementFactory(
        milestone=done,
        ddi=agent.ddi,
        acknowledged_by=UserFactory(ddi=agent.ddi, first_name="Camille", last_name="Rousseau"),
    )
    return {
        "done": done,
        "late": MilestoneFactory(
            campaign=campaign, title="Constater le service fait", due_date=today - timedelta(days=1)
        ),
        "to_do": MilestoneFactory(
            campaign=campaign,
            title="Recenser les charges à payer",
            due_date=today + timedelta(days=10),
            indicative=True,
        ),
        "info": MilestoneFactory(
            campaign=campaign, title="Loi de finances publiée", informational=True
        ),
        "other": MilestoneFactory(
            campaign=campaign, title="Nouvelles UO du programme 207", ddi_kinds=["DDT"]
        ),
    }


def _entry(html: str, milestone) -> str:
    match = re.search(rf'<li id="jalon-{milestone.pk}".*?</li>', html, re.S)
    assert match, milestone
    return match.group(0)


def test_an_agent_sees_their_ddis_milestones_with_their_state(client, agent, agent_world):
    client.force_login(agent)
    response = client.get(INDEX_URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Fin de gestion de l&#x27;année" in html
    assert "Nouvelles UO du programme 207" not in html

    done = _entry(html, agent_world["done"])
    assert "Fait" in done and "par Camille Rousseau" in done
    assert "Marquer comme fait" not in done
    late = _entry(html, agent_world["late"])
    assert "En retard" in late and "Marquer comme fait" in late
    to_do = _entry(html, agent_world["to_do"])
    assert "À faire" in to_do and "Marquer comme fait" in to_do
    assert "date indicative" in to_do and "mi/fin novembre 2011 (typique)" in to_do
    assert "date indicative" not in late
    info = _entry(html, agent_world["info"])
    assert "Pour information" in info and "Marquer comme fait" not in info


def test_an_agent_marks_a_milestone_done_for_their_ddi(client, agent, agent_world):
    milestone = agent_world["late"]
    client.force_login(agent)

    response = client.post(reverse("campaigns:acknowledge", args=[milestone.pk]), follow=True)

    assert response.redirect_chain == [(f"{INDEX_URL}#jalon-{milestone.pk}", 302)]
    acknowledgement = Acknowledgement.objects.get(milestone=milestone)
    assert (acknowledgement.ddi, acknowledgement.acknowledged_by) == (agent.ddi, agent)
    html = response.content.decode()
    assert "est marqué fait pour votre direction" in html
    entry = _entry(html, milestone)
    assert "Fait" in entry and f"par {agent.get_full_name()}" in entry


def test_marking_twice_keeps_the_first_and_says_so(client, agent, agent_world):
    milestone = agent_world["done"]
    first = milestone.acknowledgements.get()
    client.force_login(agent)

    response = client.post(reverse("campaigns:acknowledge", args=[milestone.pk]), follow=True)

    assert "était déjà marqué fait" in response.content.decode()
    assert list(milestone.acknowledgements.all()) == [first]


def test_an_agent_of_another_ddi_gets_a_404(client, agent_world):
    client.force_login(UserFactory(ddi=DDIFactory(kind=DDIKind.DDCS)))
    url = reverse("campaigns:acknowledge", args=[agent_world["other"].pk])
    assert client.post(url).status_code == 404
    assert not Acknowledgement.objects.filter(milestone=agent_world["other"]).exists()


def test_an_informational_or_unknown_milestone_gets_a_404(client, agent, agent_world):
    client.force_login(agent)
    assert (
        client.post(reverse("campaigns:acknowledge", args=[agent_world["info"].pk])).status_code
        == 404
    )
    assert client.post(reverse("campaigns:acknowledge", args=[999999])).status_code == 404


@pytest.mark.parametrize("role", ["member", "pilot"])
def test_the_team_cannot_acknowledge_on_behalf_of_a_ddi(client, users_by_role, role, agent_world):
    client.force_login(users_by_role[role])
    url = reverse("campaigns:acknowledge", args=[agent_world["late"].pk])
    assert client.post(url).status_code == 403
    assert not Acknowledgement.objects.filter(milestone=agent_world["late"]).exists()


def test_acknowledging_needs_a_post(client, agent, agent_world):
    client.force_login(agent)
    assert (
        client.get(reverse("campaigns:acknowledge", args=[agent_world["late"].pk])).status_code
        == 405
    )


def test_the_acknowledge_button_carries_the_csrf_token(agent, agent_world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    html = client.get(INDEX_URL).content.decode()
    form = _entry(html, agent_world["late"])
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)

    response = client.post(
        reverse("campaigns:acknowledge", args=[agent_world["late"].pk]),
        {"csrfmiddlewaretoken": token},
    )

    assert response.status_code == 302
    assert Acknowledgement.objects.filter(milestone=agent_world["late"]).exists()


def test_an_agent_without_milestones_is_told_so(client, agent):
    client.force_login(agent)
    assert "Aucun jalon ne concerne votre direction" in client.get(INDEX_URL).content.decode()


# ---------------------------------------------------------------------------- team


@pytest.mark.parametrize("role", ["member", "pilot"])
def test_the_team_sees_every_milestone_with_the_share_of_ddis_done(client, users_by_role, role):
    ddts = DDIFactory.create_batch(3, kind=DDIKind.DDT)
    DDIFactory(kind=DDIKind.DDPP)
    for_ddts = MilestoneFactory(ddi_kinds=["DDT"], title="Nouvelles UO du programme 207")
    MilestoneFactory(title="Loi de finances", informational=True)
    for ddi in ddts[:2]:
        AcknowledgementFactory(milestone=for_ddts, ddi=ddi)
    client.force_login(users_by_role[role])

    response = client.get(INDEX_URL)

    html = response.content.decode()
    row = re.search(rf'<tr id="jalon-{for_ddts.pk}">.*?</tr>', html, re.S).group(0)
    assert "2 / 3 DDI — 66 %" in row
    assert '<progress max="3" value="2"' in row
    assert "échéance passée" in row
    assert "Loi de finances" in html and "Pour information" in html
    assert "Marquer comme fait" not in html


def test_the_team_can_show_one_campaign(client, member):
    MilestoneFactory(title="Jalon de fin de gestion")
    start_up = CampaignFactory(fiscal_year=2012, kind="start_up")
    MilestoneFactory(campaign=start_up, title="Jalon de démarrage")
    client.force_login(member)

    html = client.get(INDEX_URL, {"campagne": start_up.pk}).content.decode()

    assert "Jalon de démarrage" in html and "Jalon de fin de gestion" not in html
    tampered = client.get(INDEX_URL, {"campagne": "x"}).content.decode()
    assert "Jalon de démarrage" in tampered and "Jalon de fin de gestion" in tampered


# ---------------------------------------------------------------------------- query counts


def _grow(n):
    """n more DDIs attached to CSPs, n more milestones by programme, n acknowledgements."""
    campaign = CampaignFactory()
    for ddi in DDIFactory.create_batch(n):
        AttachmentFactory(ddi=ddi)
    for _ in range(n):
        milestone = MilestoneFactory(campaign=campaign, programmes=[ProgrammeFactory()])
        AcknowledgementFactory(milestone=milestone, ddi=DDIFactory())


def _own(agent, n):
    """n milestones for the agent's DDI, half of them done."""
    for i, milestone in enumerate(MilestoneFactory.create_batch(n)):
        if i % 2:
            AcknowledgementFactory(milestone=milestone, ddi=agent.ddi, acknowledged_by=agent)


def test_the_agent_page_takes_a_fixed_number_of_queries(client, agent, django_assert_num_queries):
    client.force_login(agent)
    _grow(2)
    _own(agent, 2)
    # Session, user, campaigns of the filter, DDI profile, milestones, their programmes,
    # their CSPs, the DDI's acknowledgements with who made them, the feed secret, the
    # person's training sessions.
    with django_assert_num_queries(10):
        client.get(INDEX_URL)
    _grow(15)
    _own(agent, 15)
    with django_assert_num_queries(10):
        response = client.get(INDEX_URL)
    assert response.content.decode().count("Marquer comme fait") >= 8


def test_the_team_page_takes_a_fixed_number_of_queries(client, pilot, django_assert_num_queries):
    client.force_login(pilot)
    _grow(2)
    # Session, user, campaigns of the filter, milestones, their programmes, their CSPs,
    # DDI profiles, acknowledgements, the feed secret, the person's training sessions.
    with django_assert_num_queries(10):
        client.get(INDEX_URL)
    _grow(20)
    with django_assert_num_queries(10):
        client.get(INDEX_URL, {"campagne": ""})


def test_the_feed_takes_a_fixed_number_of_queries(client, agent, django_assert_num_queries):
    token = CalendarToken.objects.create(user=agent, token="jeton-requetes")
    _grow(2)
    _own(agent, 2)
    # The secret with its owner, DDI profile, milestones, their programmes, their CSPs,
    # the person's training sessions.
    with django_assert_num_queries(6):
        client.get(FEED_URL, {"jeton": token.token})
    _grow(15)
    _own(agent, 15)
    with django_assert_num_queries(6):
        client.get(FEED_URL, {"jeton": token.token})


# ---------------------------------------------------------------------------- feed


def _parse(response) -> Calendar:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def _uids(calendar: Calendar) -> set[str]:
    return {str(event["uid"]) for event in calendar.walk("VEVENT")}


@pytest.fixture
def two_ddis():
    """A DDT and a DDPP with one agent each, a milestone for each and one for both."""
    ddt_agent = UserFactory(ddi=DDIFactory(kind=DDIKind.DDT))
    ddpp_agent = UserFactory(ddi=DDIFactory(kind=DDIKind.DDPP))
    campaign = CampaignFactory(fiscal_year=2011, title="Fin de gestion 2011")
    return {
        "ddt_agent": ddt_agent,
        "ddpp_agent": ddpp_agent,
        "both": MilestoneFactory(
            campaign=campaign,
            code="date-limite-da",
            title="Date limite des DA",
            explanation="Saisissez vos DA dans Chorus Formulaires.",
            due_date=date(2011, 11, 18),
            indicative=True,
        ),
        "ddt": MilestoneFactory(campaign=campaign, code="p207", ddi_kinds=["DDT"]),
        "ddpp": MilestoneFactory(campaign=campaign, code="p206", ddi_kinds=["DDPP"]),
    }


def test_the_feed_is_a_valid_calendar_of_the_users_milestones(client, two_ddis):
    token = CalendarToken.objects.create(user=two_ddis["ddt_agent"], token="jeton-ddt")

    calendar = _parse(client.get(FEED_URL, {"jeton": token.token}))

    assert str(calendar["x-wr-calname"]) == "Accompagnement Chorus"
    assert str(calendar["version"]) == "2.0"
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {
        "2011-year_end-date-limite-da@accompagnement-chorus",
        "2011-year_end-p207@accompagnement-chorus",
    }
    event = events["2011-year_end-date-limite-da@accompagnement-chorus"]
    assert event.decoded("dtstart") == date(2011, 11, 18)  # all day: a date, not a time
    assert event.decoded("dtend") == date(2011, 11, 19)
    assert str(event["summary"]) == "Date limite des DA (date indicative)"
    description = str(event["description"])
    assert description.startswith("Saisissez vos DA dans Chorus Formulaires.")
    assert "Date indicative : mi/fin novembre 2011 (typique)." in description
    link = f"http://testserver/calendrier/#jalon-{two_ddis['both'].pk}"
    assert description.endswith(link)
    assert str(event["url"]) == link
    assert "dtstamp" in event


def test_the_feed_needs_no_session_and_is_not_cached(two_ddis):
    token = CalendarToken.objects.create(user=two_ddis["ddpp_agent"], token="jeton-ddpp")
    response = Client().get(FEED_URL, {"jeton": token.token})
    assert _uids(_parse(response)) == {
        "2011-year_end-date-limite-da@accompagnement-chorus",
        "2011-year_end-p206@accompagnement-chorus",
    }
    assert response["Cache-Control"] == "private, no-store"


def test_the_token_identifies_the_user_whoever_is_logged_in(client, two_ddis):
    token = CalendarToken.objects.create(user=two_ddis["ddpp_agent"], token="jeton-ddpp")
    client.force_login(two_ddis["ddt_agent"])

    with_token = _uids(_parse(client.get(FEED_URL, {"jeton": token.token})))
    own = _uids(_parse(client.get(FEED_URL)))

    assert "2011-year_end-p206@accompagnement-chorus" in with_token
    assert "2011-year_end-p207@accompagnement-chorus" not in with_token
    assert "2011-year_end-p207@accompagnement-chorus" in own


def test_the_team_feed_has_every_milestone(client, member, two_ddis):
    client.force_login(member)
    calendar = _parse(client.get(FEED_URL))
    assert len(calendar.walk("VEVENT")) == 3


def test_uids_stay_the_same_from_one_fetch_to_the_next(client, member, two_ddis):
    client.force_login(member)
    assert _uids(_parse(client.get(FEED_URL))) == _uids(_parse(client.get(FEED_URL)))


@pytest.mark.parametrize("query", [{}, {"jeton": ""}, {"jeton": "inconnu"}])
def test_no_valid_token_and_no_session_is_a_404(client, two_ddis, query):
    CalendarToken.objects.create(user=two_ddis["ddt_agent"], token="jeton-ddt")
    response = client.get(FEED_URL, query)
    assert response.status_code == 404
    assert b"VCALENDAR" not in response.content


def test_an_unknown_token_is_a_404_even_with_a_session(client, agent):
    client.force_login(agent)
    assert client.get(FEED_URL, {"jeton": "inconnu"}).status_code == 404


def test_the_token_of_a_deactivated_account_is_a_404(client, two_ddis):
    user = two_ddis["ddt_agent"]
    token = CalendarToken.objects.create(user=user, token="jeton-ddt")
    user.is_active = False
    user.save()
    assert client.get(FEED_URL, {"jeton": token.token}).status_code == 404


def test_renewing_the_token_invalidates_the_old_url(client, agent):
    client.force_login(agent)
    client.post(reverse("campaigns:renew_token"))
    old = CalendarToken.objects.get(user=agent).token
    anonymous = Client()
    assert anonymous.get(FEED_URL, {"jeton": old}).status_code == 200

    response = client.post(reverse("campaigns:renew_token"), follow=True)

    new = CalendarToken.objects.get(user=agent).token
    assert new != old
    assert response.redirect_chain == [(f"{INDEX_URL}#abonnement", 302)]
    html = response.content.decode()
    assert f"http://testserver/calendrier.ics?jeton={new}" in html
    assert old not in html
    assert "L’ancien ne fonctionne plus" in html
    assert anonymous.get(FEED_URL, {"jeton": old}).status_code == 404
    assert anonymous.get(FEED_URL, {"jeton": new}).status_code == 200


def test_the_page_offers_to_create_the_first_link(client, agent):
    client.force_login(agent)
    html = client.get(INDEX_URL).content.decode()
    assert "Créer mon lien d’abonnement" in html
    assert "jeton=" not in html
    assert not CalendarToken.objects.exists()  # nothing written on a GET


@pytest.mark.parametrize("secret", ["\x00", "jeton\x00", "x" * 100_000, "é" * 10])
def test_a_malformed_feed_secret_is_a_404_not_a_server_error(client, db, secret):
    # PostgreSQL refuses a NUL byte in a query parameter: the secret is checked first.
    assert client.get(FEED_URL, {"jeton": secret}).status_code == 404
