import pytest
from django.urls import reverse

from tests.accounts.factories import TeamMemberFactory
from tests.ddi.factories import AttachmentFactory, DDIFactory

pytestmark = pytest.mark.django_db


def test_agent_home_shows_own_ddi_and_its_csp_contacts(client, agent):
    mine = AttachmentFactory(ddi=agent.ddi, service_centre__name="CSP de mon ministère")
    AttachmentFactory(ddi=DDIFactory(), service_centre__name="CSP d'une autre DDI")
    client.force_login(agent)
    html = client.get(reverse("home")).content.decode()
    assert str(agent.ddi) in html
    assert "CSP de mon ministère" in html
    assert mine.service_centre.email in html
    assert f"P{mine.programme.code}" in html
    assert "CSP d'une autre DDI" not in html
    assert "Structure d’origine" not in html


def test_member_home_lists_the_team_roster(client, member):
    other = TeamMemberFactory(time_share=20, structure__name="AIFE")
    client.force_login(member)
    html = client.get(reverse("home")).content.decode()
    assert other.user.get_full_name() in html
    assert "AIFE" in html
    assert "20 %" in html
    assert "Pilotage de l’équipe" not in html


def test_pilot_home_links_to_the_admin(client, pilot):
    client.force_login(pilot)
    html = client.get(reverse("home")).content.decode()
    assert "Pilotage de l’équipe" in html
    assert reverse("admin:ddi_ddi_changelist") in html


def test_navigation_depends_on_role(client, agent, member):
    client.force_login(agent)
    agent_nav = client.get(reverse("home")).context["navigation"]
    client.force_login(member)
    member_nav = client.get(reverse("home")).context["navigation"]
    assert [item["label"] for item in agent_nav][0] == "Accueil"
    assert all(item["url"] for item in agent_nav + member_nav)


def test_roster_query_count_does_not_grow_with_members(
    client, member, django_assert_max_num_queries
):
    client.force_login(member)
    TeamMemberFactory.create_batch(3)
    with django_assert_max_num_queries(6) as few:
        client.get(reverse("home"))
    TeamMemberFactory.create_batch(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("home"))


def test_agent_home_query_count_does_not_grow_with_attachments(
    client, agent, django_assert_max_num_queries
):
    client.force_login(agent)
    AttachmentFactory.create_batch(2, ddi=agent.ddi)
    with django_assert_max_num_queries(6) as few:
        client.get(reverse("home"))
    AttachmentFactory.create_batch(15, ddi=agent.ddi)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("home"))
