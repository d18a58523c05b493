"""Routing through a joint centre: the agriculture and ecology CPCMs serve both ministries
(led by the MEDDTL in the reference data, MAAPRAT associated), so a request on an
agriculture programme (206, 215, 154, 149) through a CPCM goes to the MAAPRAT's referents,
never to the MEDDTL's for being the CSP's lead ministry."""

import pytest

from accompagnement.axes.models import Axis
from accompagnement.support.enums import EventKind, Priority
from accompagnement.support.selectors.queue import team_members
from accompagnement.support.selectors.routing import referents_of
from accompagnement.support.services.requests import support_request_create
from ddi.enums import DDIKind
from ddi.models import DDI, Programme, ServiceCentreAttachment
from ddi.services import reference_data_load
from tests.accounts.factories import TeamMemberFactory, UserFactory
from tests.ddi.factories import (
    AttachmentFactory,
    DDIFactory,
    MinistryFactory,
    ProgrammeFactory,
    ServiceCentreFactory,
)
from tests.support.factories import CategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ministries():
    return MinistryFactory(code="MAAPRAT"), MinistryFactory(code="MEDDTL")


@pytest.fixture
def cpcm(ministries):
    agriculture, ecology = ministries
    centre = ServiceCentreFactory(name="CPCM Bretagne", ministry=ecology)
    centre.joint_ministries.set([agriculture])
    return centre


@pytest.fixture
def agent(cpcm, ministries):
    """An agent of a DDPP served by the CPCM for programme 206."""
    agriculture, _ = ministries
    user = UserFactory(ddi=DDIFactory(kind=DDIKind.DDPP))
    programme = ProgrammeFactory(code="206", ministry=agriculture)
    AttachmentFactory(ddi=user.ddi, programme=programme, service_centre=cpcm)
    return user


def referent(last_name, ministry):
    user = UserFactory(member=True, last_name=last_name, first_name="Camille")
    return TeamMemberFactory(user=user, time_share=100, referent_ministry=ministry).user


def file_request(agent, *, programme=None, service_centre=None):
    return support_request_create(
        requester=agent,
        axis=Axis.PROCESS,
        category=CategoryFactory(axis=Axis.PROCESS),
        title="Demande de paiement rejetée par le CPCM",
        body="La DP est revenue en anomalie.",
        priority=Priority.NORMAL,
        programme=programme,
        service_centre=service_centre,
    )


def routing_comment(request) -> str:
    return request.events.get(kind=EventKind.ASSIGNED).comment


def test_a_request_on_206_through_a_cpcm_goes_to_the_maaprat_referent(agent, cpcm, ministries):
    agriculture, ecology = ministries
    maaprat = referent("Agri", agriculture)
    referent("Eco", ecology)

    request = file_request(agent, programme=Programme.objects.get(code="206"), service_centre=cpcm)

    assert request.assignee == maaprat
    assert "référent du ministère MAAPRAT" in routing_comment(request)
    assert referents_of(request).ministry_code == "MAAPRAT"


def test_without_a_programme_a_joint_centre_concerns_both_its_ministries(agent, cpcm, ministries):
    agriculture, ecology = ministries
    maaprat = referent("Agri", agriculture)
    meddtl = referent("Eco", ecology)
    other = referent("Autre", MinistryFactory(code="MIOMCTI"))

    request = file_request(agent, service_centre=cpcm)

    referents = referents_of(request)
    assert referents.ministry_referents == {maaprat.pk, meddtl.pk}
    assert referents.ministry_code == "MEDDTL ou MAAPRAT"
    assert request.assignee in {maaprat, meddtl}
    # The assign list suggests the referents of both ministries, nobody else.
    suggested = {user for user in team_members(support_request=request) if user.is_suggested}
    assert suggested == {maaprat, meddtl}
    assert other not in suggested


def test_with_only_a_maaprat_referent_a_cpcm_request_is_still_routed(agent, cpcm, ministries):
    agriculture, _ = ministries
    maaprat = referent("Agri", agriculture)

    assert file_request(agent, service_centre=cpcm).assignee == maaprat


def test_with_the_reference_data_206_through_the_ddpp_13_cpcm_goes_to_maaprat():
    reference_data_load()
    ddi = DDI.objects.get(kind=DDIKind.DDPP, department__code="13")
    attachment = ServiceCentreAttachment.objects.select_related("service_centre__ministry").get(
        ddi=ddi, programme__code="206"
    )
    assert attachment.service_centre.code == "cpcm-provence-alpes-cote-d-azur"
    assert attachment.service_centre.ministry.code == "MEDDTL"  # the lead ministry
    agent = UserFactory(ddi=ddi)
    maaprat = referent("Agri", attachment.programme.ministry)
    referent("Eco", attachment.service_centre.ministry)

    request = file_request(
        agent, programme=attachment.programme, service_centre=attachment.service_centre
    )

    assert attachment.programme.ministry.code == "MAAPRAT"
    assert request.assignee == maaprat
