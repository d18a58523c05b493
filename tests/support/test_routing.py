"""Routing of new requests (`support/services/routing.py`): the pilot's rules, the
referents, absences, share of time and open load, and the proposal a member confirms."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accompagnement.accounts.models import Absence
from accompagnement.axes.models import Axis
from accompagnement.support.enums import EventKind, Priority, Status
from accompagnement.support.models import Event, SupportRequest
from accompagnement.support.selectors.requests import request_timeline
from accompagnement.support.services.requests import support_request_create
from accompagnement.support.services.routing import (
    routing_rule_save,
    support_request_accept_proposal,
    team_settings_update,
)
from accompagnement.support.services.team_actions import support_request_assign
from accompagnement.support.team_models import RoutingRule, TeamSettings
from ddi.enums import DDIKind
from tests.accounts.factories import TeamMemberFactory, UserFactory
from tests.ddi.factories import AttachmentFactory, DDIFactory, MinistryFactory, ProgrammeFactory
from tests.support.factories import CategoryFactory, SupportRequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ministry():
    return MinistryFactory(code="MAAPRAT")


@pytest.fixture
def programme(ministry):
    return ProgrammeFactory(code="206", ministry=ministry)


@pytest.fixture
def agent(programme):
    """An agent of a DDPP whose DDI uses programme 206."""
    user = UserFactory(ddi=DDIFactory(kind=DDIKind.DDPP))
    AttachmentFactory(ddi=user.ddi, programme=programme)
    return user


def team_member(last_name, *, time_share=100, **profile):
    user = UserFactory(member=True, last_name=last_name, first_name="Camille")
    return TeamMemberFactory(user=user, time_share=time_share, **profile)


def file_request(agent, *, programme=None, category=None, service_centre=None):
    return support_request_create(
        requester=agent,
        axis=category.axis if category else Axis.TOOL,
        category=category or CategoryFactory(axis=Axis.TOOL),
        title="Restitution INF-BUD-53 vide",
        body="Depuis lundi la restitution ne renvoie rien.",
        priority=Priority.NORMAL,
        programme=programme,
        service_centre=service_centre,
    )


def rule(name, members, *, position=100, is_active=True, **criteria):
    created = RoutingRule.objects.create(
        name=name, position=position, is_active=is_active, **criteria
    )
    created.members.set([m.user for m in members])
    return created


def absent(profile, *, start=0, end=0):
    today = timezone.localdate()
    return Absence.objects.create(
        member=profile, start=today + timedelta(days=start), end=today + timedelta(days=end)
    )


def routing_event(request) -> Event:
    return request.events.get(kind=EventKind.ASSIGNED)


# ---------------------------------------------------------------------------- rules


def test_the_first_active_rule_by_position_wins(agent):
    category = CategoryFactory(axis=Axis.TOOL)
    by_axis, by_category, inactive = (
        team_member("Axe"),
        team_member("Categorie"),
        team_member("Inactive"),
    )
    rule("Toute l’axe outil", [by_axis], position=20, axis=Axis.TOOL)
    rule("Restitutions", [by_category], position=10, category=category)
    rule("Ancienne règle", [inactive], position=1, is_active=False)

    assert file_request(agent, category=category).assignee == by_category.user
    # Another category of the same axis: the second rule.
    assert file_request(agent).assignee == by_axis.user


def test_every_criterion_a_rule_sets_must_match(agent, programme):
    ddt_only, on_programme = team_member("Ddt"), team_member("Programme")
    rule("DDT outil", [ddt_only], position=1, axis=Axis.TOOL, ddi_kind=DDIKind.DDT)
    rule("Programme 206", [on_programme], position=2, programme=programme)

    # The agent's DDI is a DDPP: the first rule does not match, the programme's does.
    assert file_request(agent, programme=programme).assignee == on_programme.user
    # Without the programme, no rule matches and nobody covers it.
    assert file_request(agent).assignee is None


def test_a_rule_whose_members_are_all_absent_gives_way_to_the_next(agent):
    away, next_in_line = team_member("Absente"), team_member("Suivante")
    absent(away, start=-2, end=3)
    rule("Première", [away], position=1)
    rule("Seconde", [next_in_line], position=2)

    assert file_request(agent).assignee == next_in_line.user


def test_only_active_team_members_of_a_rule_are_candidates(agent):
    gone = team_member("Partie")
    gone.user.is_active = False
    gone.user.save(update_fields=["is_active"])
    present = team_member("Presente")
    rule("Outil", [gone, present])

    assert file_request(agent).assignee == present.user


# ---------------------------------------------------------------------------- referents


def test_without_a_rule_the_referent_of_the_programmes_ministry(agent, programme, ministry):
    referent = team_member("Referente", referent_ministry=ministry)
    team_member("Autre", referent_ministry=MinistryFactory())

    request = file_request(agent, programme=programme)

    assert request.assignee == referent.user
    assert "référent du ministère MAAPRAT" in routing_event(request).comment


def test_a_referent_of_the_programme_itself(agent, programme):
    referent = team_member("Programme")
    referent.referent_programmes.set([programme])

    request = file_request(agent, programme=programme)

    assert request.assignee == referent.user
    assert "référent du programme P206" in routing_event(request).comment


def test_without_a_programme_the_referent_of_the_csps_ministry(agent, ministry):
    csp = AttachmentFactory(ddi=agent.ddi, service_centre__ministry=ministry).service_centre
    referent = team_member("Csp", referent_ministry=ministry)

    assert file_request(agent, service_centre=csp).assignee == referent.user


def test_an_absent_referent_is_skipped(agent, programme, ministry):
    away = team_member("Absente", referent_ministry=ministry)
    present = team_member("Presente", referent_ministry=ministry, time_share=20)
    absent(away, start=0, end=0)  # today only: the last day counts
    back = team_member("Revenue", referent_ministry=ministry, time_share=10)
    absent(back, start=-10, end=-1)  # back since today

    # Both free: the larger share of time first, then the other.
    assert file_request(agent, programme=programme).assignee == present.user
    assert file_request(agent, programme=programme).assignee == back.user


def test_a_part_time_member_gets_fewer_requests(agent, programme, ministry):
    full_time = team_member("Plein", referent_ministry=ministry, time_share=100)
    half_time = team_member("Mi", referent_ministry=ministry, time_share=50)

    requests = [file_request(agent, programme=programme) for _ in range(6)]

    counts = {
        user: sum(1 for r in requests if r.assignee == user)
        for user in (full_time.user, half_time.user)
    }
    assert counts == {full_time.user: 4, half_time.user: 2}


def test_open_load_counts_and_finished_requests_do_not(agent, programme, ministry):
    busy = team_member("Occupee", referent_ministry=ministry)
    free = team_member("Libre", referent_ministry=ministry)
    for _ in range(3):
        SupportRequestFactory(assignee=busy.user, status=Status.IN_PROGRESS)
    for _ in range(5):
        SupportRequestFactory(assignee=free.user, status=Status.CLOSED)

    request = file_request(agent, programme=programme)

    assert request.assignee == free.user
    assert "aucune demande ouverte" in routing_event(request).comment


def test_equal_loads_are_broken_the_same_way_every_time(agent, programme, ministry):
    team_member("Bernard", referent_ministry=ministry)
    first = team_member("Aubert", referent_ministry=ministry)
    assert file_request(agent, programme=programme).assignee == first.user


# ---------------------------------------------------------------------------- no one


def test_no_rule_nor_referent_leaves_the_request_unassigned(agent, programme):
    team_member("Sans perimetre")

    request = file_request(agent, programme=programme)

    assert request.assignee is None and request.proposed_assignee is None
    assert not request.events.filter(kind=EventKind.ASSIGNED).exists()


def test_everyone_absent_leaves_the_request_unassigned(agent, programme, ministry):
    for name in ("Une", "Deux"):
        absent(team_member(name, referent_ministry=ministry), start=-1, end=5)
    on_rule = team_member("Trois")
    rule("Tout", [on_rule])
    absent(on_rule, start=0, end=1)

    request = file_request(agent, programme=programme)

    assert request.assignee is None
    assert not request.events.filter(kind=EventKind.ASSIGNED).exists()


# ---------------------------------------------------------------------------- the timeline


def test_the_automatic_assignment_says_why_to_the_team_only(agent):
    referent = team_member("Referente", time_share=50)
    SupportRequestFactory(assignee=referent.user, status=Status.WAITING_DDI)
    SupportRequestFactory(assignee=referent.user, status=Status.ESCALATED)
    rule("Fin de gestion", [referent])

    request = file_request(agent)

    event = routing_event(request)
    assert event.actor is None
    assert event.new_value == referent.user.get_full_name()
    assert event.comment == (
        "Attribuée automatiquement : règle « Fin de gestion » (quotité 50 %, 2 demandes ouvertes)."
    )
    # Shares of time and loads are the team's business: the DDI sees the assignee only.
    assert not event.is_public
    agent_sees = request_timeline(user=agent, support_request=request)
    assert all(entry.event is None or entry.event.pk != event.pk for entry in agent_sees)
    team_sees = request_timeline(user=referent.user, support_request=request)
    assert "Demande attribuée à Camille Referente" in [entry.summary for entry in team_sees]


# ---------------------------------------------------------------------------- proposals


@pytest.fixture
def proposals_only(db):
    TeamSettings.objects.update_or_create(pk=1, defaults={"auto_assign": False})


def test_with_automatic_assignment_off_the_rule_only_proposes(agent, proposals_only):
    proposed = team_member("Proposee")
    rule("Outil", [proposed])

    request = file_request(agent)

    assert request.assignee is None
    assert SupportRequest.objects.get(pk=request.pk).proposed_assignee == proposed.user
    event = routing_event(request)
    assert (event.field, event.new_value, event.is_public) == (
        "proposed_assignee",
        proposed.user.get_full_name(),
        False,
    )
    assert "règle « Outil »" in event.comment
    summaries = [e.summary for e in request_timeline(user=proposed.user, support_request=request)]
    assert "Attribution proposée à Camille Proposee" in summaries


def test_pending_proposals_count_in_the_load(agent, proposals_only):
    first, second = team_member("Aubert"), team_member("Bernard")
    rule("Outil", [first, second])

    proposed = [file_request(agent).proposed_assignee for _ in range(4)]

    assert proposed == [first.user, second.user, first.user, second.user]


def test_a_member_confirms_the_proposal(agent, proposals_only):
    proposed = team_member("Proposee")
    rule("Outil", [proposed])
    request = file_request(agent)
    confirming = team_member("Confirme").user

    event = support_request_accept_proposal(request=request, user=confirming)

    request.refresh_from_db()
    assert request.assignee == proposed.user
    assert request.proposed_assignee is None
    assert (event.actor, event.new_value, event.is_public) == (
        confirming,
        proposed.user.get_full_name(),
        True,
    )


def test_any_assignment_settles_the_proposal(agent, proposals_only):
    rule("Outil", [team_member("Proposee")])
    request = file_request(agent)
    other = team_member("Autre").user

    support_request_assign(request=request, user=other, assignee=other)

    request.refresh_from_db()
    assert (request.assignee, request.proposed_assignee) == (other, None)
    with pytest.raises(ValidationError, match="Aucune attribution"):
        support_request_accept_proposal(request=request, user=other)


def test_a_proposal_for_someone_who_left_the_team_is_refused(agent, proposals_only):
    proposed = team_member("Partie")
    rule("Outil", [proposed])
    request = file_request(agent)
    proposed.user.is_active = False
    proposed.user.save(update_fields=["is_active"])
    request.refresh_from_db()

    with pytest.raises(ValidationError, match="ne fait plus partie"):
        support_request_accept_proposal(request=request, user=team_member("Autre").user)


def test_an_agent_cannot_confirm_a_proposal(agent, proposals_only):
    rule("Outil", [team_member("Proposee")])
    request = file_request(agent)

    with pytest.raises(PermissionDenied):
        support_request_accept_proposal(request=request, user=agent)


# ---------------------------------------------------------------------------- the pilot's


def test_the_pilot_alone_edits_rules_and_the_switch(pilot, member):
    category = CategoryFactory(axis=Axis.YEAR_END)
    for user in (member, UserFactory()):
        with pytest.raises(PermissionDenied):
            routing_rule_save(user=user, name="X", position=1, is_active=True, members=[member])
        with pytest.raises(PermissionDenied):
            team_settings_update(user=user, auto_assign=False)

    saved = routing_rule_save(
        user=pilot,
        name=" Fin de gestion ",
        position=5,
        is_active=True,
        category=category,
        members=[member],
    )
    assert (saved.name, saved.axis, list(saved.members.all())) == (
        "Fin de gestion",
        Axis.YEAR_END,
        [member],
    )
    assert team_settings_update(user=pilot, auto_assign=False).auto_assign is False
    assert TeamSettings.current().auto_assign is False


def test_a_rule_needs_team_members_and_a_category_of_its_axis(pilot, member):
    common = {"user": pilot, "name": "Règle", "position": 1, "is_active": True}
    with pytest.raises(ValidationError) as error:
        routing_rule_save(**common, members=[])
    assert "members" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        routing_rule_save(**common, members=[UserFactory()])
    assert "members" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        routing_rule_save(
            **common, axis=Axis.TOOL, category=CategoryFactory(axis=Axis.YEAR_END), members=[member]
        )
    assert "category" in error.value.message_dict
    assert not RoutingRule.objects.exists()
