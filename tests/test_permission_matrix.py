"""Every URL × every role, with the status code each must get.

The first security property of the portal: an agent never sees another DDI's
requests nor any internal note. A URL added to the URL conf without a row here fails
`test_every_url_is_in_the_matrix`.
"""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accompagnement.accounts.models import Absence, PendingSignIn
from accompagnement.axes.models import Axis
from accompagnement.campaigns.models import CalendarToken
from accompagnement.support.enums import MessageKind
from accompagnement.support.models import Attachment
from accompagnement.support.team_models import CannedResponse, RoutingRule, SavedFilter
from tests.accounts.factories import TeamMemberFactory, UserFactory
from tests.campaigns.factories import MilestoneFactory
from tests.ddi.factories import AttachmentFactory, DDIFactory
from tests.interventions.factories import InterventionFactory, RegistrationFactory
from tests.knowledge.factories import ArticleFactory
from tests.partners.factories import (
    EscalationFactory,
    FollowUpNoteFactory,
    PartnerFactory,
    SupportActionFactory,
)
from tests.problems.factories import ProblemFactory
from tests.study.factories import DiagnosticFactory, ExperimentFactory, StudyFactory
from tests.support.factories import MessageFactory, SupportRequestFactory

ROLES = ("anonymous", "agent_a", "agent_b", "member", "pilot")
LOGIN = "login"  # expected: redirected to the login page

# Pages outside the matrix: Django's admin (its own tests and permission system).
EXCLUDED_NAMESPACES = ("admin",)


def row(anonymous, agent_a, agent_b, member, pilot):
    return dict(zip(ROLES, (anonymous, agent_a, agent_b, member, pilot), strict=True))


# (url name, target, method): expected status per role. `target` names the object the
# URL is built from (see `build_url`). For team-only POSTs, an empty form is refused
# with the form's message (back to the page: 302) but never processed for an agent.
MATRIX = {
    ("home", None, "get"): row(LOGIN, 200, 200, 200, 200),
    ("health", None, "get"): row(200, 200, 200, 200, 200),
    ("accessibility", None, "get"): row(200, 200, 200, 200, 200),
    ("login", None, "get"): row(200, 302, 302, 302, 302),
    ("logout", None, "post"): row(302, 302, 302, 302, 302),
    ("password_reset", None, "get"): row(200, 200, 200, 200, 200),
    ("password_reset_done", None, "get"): row(200, 200, 200, 200, 200),
    ("password_reset_confirm", "reset", "get"): row(200, 200, 200, 200, 200),
    ("password_reset_complete", None, "get"): row(200, 200, 200, 200, 200),
    ("password_change", None, "get"): row(LOGIN, 200, 200, 200, 200),
    ("password_change_done", None, "get"): row(LOGIN, 200, 200, 200, 200),
    # The DDI's own screens.
    ("support:list", None, "get"): row(LOGIN, 200, 200, 403, 403),
    ("support:create", None, "get"): row(LOGIN, 200, 200, 403, 403),
    ("support:detail", "request_a", "get"): row(LOGIN, 200, 404, 200, 200),
    ("support:confirmation", "request_a", "get"): row(LOGIN, 200, 404, 200, 200),
    ("support:reply", "request_a", "post"): row(LOGIN, 200, 404, 200, 200),
    ("support:close", "request_a", "get"): row(LOGIN, 200, 404, 403, 403),
    ("support:reopen", "request_a", "post"): row(LOGIN, 302, 404, 403, 403),
    # Following a request (then alerted of it): the team's.
    ("support:follow", "request_a", "post"): row(LOGIN, 403, 403, 302, 302),
    # Notifications: everyone signed in has the page and the header's count (an agent's
    # are empty); the e-mail choices are the team's (an empty form turns every e-mail
    # off: 302).
    ("alerts:list", None, "get"): row(LOGIN, 200, 200, 200, 200),
    ("alerts:unread", None, "get"): row(LOGIN, 200, 200, 200, 200),
    ("alerts:preferences", None, "get"): row(LOGIN, 403, 403, 200, 200),
    ("alerts:preferences", None, "post"): row(LOGIN, 403, 403, 302, 302),
    ("support:attachment", "public_file", "get"): row(LOGIN, 200, 404, 200, 200),
    ("support:attachment", "internal_file", "get"): row(LOGIN, 404, 404, 200, 200),
    # The team's screens.
    ("support:queue", None, "get"): row(LOGIN, 403, 403, 200, 200),
    ("support:bulk_action", None, "post"): row(LOGIN, 403, 403, 302, 302),
    ("support:saved_filter_create", None, "post"): row(LOGIN, 403, 403, 302, 302),
    ("support:saved_filter_delete", "saved_filter", "post"): row(LOGIN, 403, 403, 404, 404),
    ("support:assign", "request_a", "post"): row(LOGIN, 403, 403, 302, 302),
    ("support:transition", "request_a", "post"): row(LOGIN, 403, 403, 302, 302),
    ("support:duplicate", "request_a", "post"): row(LOGIN, 403, 403, 302, 302),
    ("support:link", "request_a", "post"): row(LOGIN, 403, 403, 302, 302),
    ("support:accept_proposal", "request_a", "post"): row(LOGIN, 403, 403, 302, 302),
    # Routing: the team reads the rules, the pilot alone edits them and the switch (an empty
    # rule form comes back with its errors: 400; an empty switch form with a message: 302).
    ("support:routing_rules", None, "get"): row(LOGIN, 403, 403, 200, 200),
    ("support:routing_rule_create", None, "get"): row(LOGIN, 403, 403, 403, 200),
    ("support:routing_rule_create", None, "post"): row(LOGIN, 403, 403, 403, 400),
    ("support:routing_rule_update", "routing_rule", "get"): row(LOGIN, 403, 403, 403, 200),
    ("support:routing_rule_update", "routing_rule", "post"): row(LOGIN, 403, 403, 403, 400),
    ("support:routing_rule_delete", "routing_rule", "post"): row(LOGIN, 403, 403, 403, 302),
    ("support:auto_assign_switch", None, "post"): row(LOGIN, 403, 403, 403, 302),
    # Absences: the team's page; a member removes only their own (`absence` is another
    # member's), the pilot anyone's. An empty form comes back with its errors: 400.
    ("accounts:absences", None, "get"): row(LOGIN, 403, 403, 200, 200),
    ("accounts:absences", None, "post"): row(LOGIN, 403, 403, 400, 400),
    ("accounts:absence_delete", "absence", "post"): row(LOGIN, 403, 403, 403, 302),
    # Corrections of the classification, and merging into another request: the team's.
    ("support:triage", "request_a", "post"): row(LOGIN, 403, 403, 302, 302),
    ("support:merge", "request_a", "post"): row(LOGIN, 403, 403, 302, 302),
    # Canned answers: the team's (an empty form comes back with its errors: 200).
    ("support:canned_list", None, "get"): row(LOGIN, 403, 403, 200, 200),
    ("support:canned_create", None, "get"): row(LOGIN, 403, 403, 200, 200),
    ("support:canned_create", None, "post"): row(LOGIN, 403, 403, 200, 200),
    ("support:canned_update", "canned", "get"): row(LOGIN, 403, 403, 200, 200),
    ("support:canned_update", "canned", "post"): row(LOGIN, 403, 403, 200, 200),
    ("support:canned_delete", "canned", "get"): row(LOGIN, 403, 403, 200, 200),
    ("support:canned_delete", "canned", "post"): row(LOGIN, 403, 403, 302, 302),
    ("support:canned_text", "canned_for_request_a", "get"): row(LOGIN, 403, 403, 200, 200),
    # Problems reported by many DDIs: the team's only (an agent sees the answer on their
    # own request). Empty POSTs are refused with the form's message (302) or, for the
    # answer, with the page and its errors (400).
    ("problems:list", None, "get"): row(LOGIN, 403, 403, 200, 200),
    ("problems:detail", "problem", "get"): row(LOGIN, 403, 403, 200, 200),
    ("problems:create_from_queue", None, "post"): row(LOGIN, 403, 403, 302, 302),
    ("problems:create_from_request", "request_a", "post"): row(LOGIN, 403, 403, 302, 302),
    ("problems:request_attach", "request_a", "post"): row(LOGIN, 403, 403, 302, 302),
    ("problems:attach", "problem", "post"): row(LOGIN, 403, 403, 302, 302),
    ("problems:detach", "problem", "post"): row(LOGIN, 403, 403, 302, 302),
    ("problems:edit", "problem", "post"): row(LOGIN, 403, 403, 400, 400),
    ("problems:reopen", "problem", "post"): row(LOGIN, 403, 403, 302, 302),
    ("problems:answer", "problem", "post"): row(LOGIN, 403, 403, 400, 400),
    ("problems:resolve", "problem", "post"): row(LOGIN, 403, 403, 302, 302),
    ("problems:publish", "problem", "post"): row(LOGIN, 403, 403, 302, 302),
    # Sign in with ProConnect: off in the tests' settings, so its flow URLs do not exist
    # (404; tests/accounts/test_proconnect.py turns it on). The refusal page and the
    # return from the provider's logout are public. The pilot alone opens the accounts of
    # pending sign-ins (an empty form is refused with its errors: 400).
    ("accounts:authenticate", None, "get"): row(404, 404, 404, 404, 404),
    ("accounts:callback", None, "get"): row(404, 404, 404, 404, 404),
    ("accounts:refused", "refusal_pending", "get"): row(403, 403, 403, 403, 403),
    ("accounts:logout_done", None, "get"): row(302, 302, 302, 302, 302),
    ("accounts:pending_list", None, "get"): row(LOGIN, 403, 403, 403, 200),
    ("accounts:open_account", "pending_sign_in", "get"): row(LOGIN, 403, 403, 403, 200),
    ("accounts:open_account", "pending_sign_in", "post"): row(LOGIN, 403, 403, 403, 400),
    # The calendar. `milestone_a` targets the DDI of agent_a only: agent_b does not learn
    # it exists (404), and the team never marks a milestone done for a DDI (403).
    ("campaigns:index", None, "get"): row(LOGIN, 200, 200, 200, 200),
    ("campaigns:acknowledge", "milestone_a", "post"): row(LOGIN, 302, 404, 403, 403),
    ("campaigns:renew_token", None, "post"): row(LOGIN, 302, 302, 302, 302),
    # Public by secret: without `?jeton=` nor a session, a 404 (never the login page,
    # which a calendar application could not use); with a session, one's own feed.
    ("campaigns:ics", None, "get"): row(404, 200, 200, 200, 200),
    ("campaigns:ics", "feed_of_agent_a", "get"): row(200, 200, 200, 200, 200),
    ("campaigns:ics", "unknown_token", "get"): row(404, 404, 404, 404, 404),
    # The pilot's screens: for the pilot only (a member gets a 403 too).
    ("steering:index", None, "get"): row(LOGIN, 403, 403, 403, 200),
    ("steering:quality", None, "get"): row(LOGIN, 403, 403, 403, 200),
    ("steering:map", None, "get"): row(LOGIN, 403, 403, 403, 200),
    ("steering:campaign", None, "get"): row(LOGIN, 403, 403, 403, 200),
    ("steering:team", None, "get"): row(LOGIN, 403, 403, 403, 200),
    ("personal_data_export", None, "get"): row(LOGIN, 403, 403, 403, 200),
    ("steering:export", "table_csv", "get"): row(LOGIN, 403, 403, 403, 200),
    ("steering:export", "table_xlsx", "get"): row(LOGIN, 403, 403, 403, 200),
    ("steering:export", "unknown_table", "get"): row(LOGIN, 403, 403, 403, 404),
    ("steering:export_requests", "csv", "get"): row(LOGIN, 403, 403, 403, 200),
    ("steering:export_requests", "xlsx", "get"): row(LOGIN, 403, 403, 403, 200),
    ("steering:reminders", None, "get"): row(LOGIN, 403, 403, 403, 200),
    ("steering:reminders_resend", "milestone_a", "post"): row(LOGIN, 403, 403, 403, 302),
    # The optimisation study: the team's, closed to agents until the pilot opens it (an
    # agent then reads the overview only: tests/study/test_views.py).
    ("study:index", None, "get"): row(LOGIN, 403, 403, 200, 200),
    ("study:visibility", None, "post"): row(LOGIN, 403, 403, 403, 302),
    ("study:diagnostic_create", None, "get"): row(LOGIN, 403, 403, 200, 200),
    ("study:diagnostic_create", None, "post"): row(LOGIN, 403, 403, 200, 200),
    ("study:diagnostic_update", "study_diagnostic", "get"): row(LOGIN, 403, 403, 200, 200),
    ("study:recommendation_create", None, "get"): row(LOGIN, 403, 403, 200, 200),
    ("study:recommendation_update", "study_recommendation", "get"): row(LOGIN, 403, 403, 200, 200),
    ("study:recommendation_update", "study_recommendation", "post"): row(LOGIN, 403, 403, 200, 200),
    ("study:experiment_create", "study_recommendation", "get"): row(LOGIN, 403, 403, 200, 200),
    ("study:experiment_update", "study_experiment", "get"): row(LOGIN, 403, 403, 200, 200),
    ("study:experiment_update", "study_experiment", "post"): row(LOGIN, 403, 403, 200, 200),
    # The knowledge base: everyone reads published articles; a draft does not exist for
    # an agent (404); only the team writes (403 for agents).
    ("knowledge:index", None, "get"): row(LOGIN, 200, 200, 200, 200),
    ("knowledge:detail", "article", "get"): row(LOGIN, 200, 200, 200, 200),
    ("knowledge:detail", "draft_article", "get"): row(LOGIN, 404, 404, 200, 200),
    # Following a suggestion records it: a POST (the filing form's button), never a GET.
    ("knowledge:follow", "article", "get"): row(LOGIN, 405, 405, 405, 405),
    ("knowledge:follow", "article", "post"): row(LOGIN, 302, 302, 302, 302),
    ("knowledge:follow", "draft_article", "post"): row(LOGIN, 404, 404, 302, 302),
    ("knowledge:create", None, "get"): row(LOGIN, 403, 403, 200, 200),
    ("knowledge:create", None, "post"): row(LOGIN, 403, 403, 200, 200),
    ("knowledge:update", "article", "get"): row(LOGIN, 403, 403, 200, 200),
    ("knowledge:update", "draft_article", "post"): row(LOGIN, 403, 403, 200, 200),
    ("support:suggestions", None, "get"): row(LOGIN, 200, 200, 403, 403),
    # Interventions. `session_a` is for the region of agent_a's DDI only: agent_b does not
    # learn it exists (404), nor a draft. Agents register people of their own DDI (an
    # empty form: 400); the team manages sessions; the pilot alone sees the coverage.
    # `registration_a` is agent_a's own place, recorded present: only they give their
    # opinion, and only their DDI or the team cancel it.
    ("interventions:index", None, "get"): row(LOGIN, 200, 200, 200, 200),
    ("interventions:create", None, "get"): row(LOGIN, 403, 403, 200, 200),
    ("interventions:create", None, "post"): row(LOGIN, 403, 403, 200, 200),
    ("interventions:coverage", None, "get"): row(LOGIN, 403, 403, 403, 200),
    ("interventions:detail", "session_a", "get"): row(LOGIN, 200, 404, 200, 200),
    ("interventions:detail", "draft_session", "get"): row(LOGIN, 404, 404, 200, 200),
    ("interventions:update", "session_a", "get"): row(LOGIN, 403, 403, 200, 200),
    ("interventions:update", "session_a", "post"): row(LOGIN, 403, 403, 200, 200),
    ("interventions:open", "draft_session", "post"): row(LOGIN, 403, 403, 302, 302),
    ("interventions:cancel", "session_a", "post"): row(LOGIN, 403, 403, 302, 302),
    ("interventions:register", "session_a", "post"): row(LOGIN, 400, 404, 403, 403),
    ("interventions:register", "draft_session", "post"): row(LOGIN, 404, 404, 403, 403),
    ("interventions:attendance", "session_a", "post"): row(LOGIN, 403, 403, 302, 302),
    ("interventions:unregister", "registration_a", "post"): row(LOGIN, 302, 404, 302, 302),
    ("interventions:feedback", "registration_a", "get"): row(LOGIN, 200, 404, 404, 404),
    # Partners: the directory (the team reads, the pilot edits).
    ("partners:list", None, "get"): row(LOGIN, 403, 403, 200, 200),
    ("partners:list", None, "post"): row(LOGIN, 405, 405, 405, 405),
    ("partners:detail", "partner", "get"): row(LOGIN, 403, 403, 200, 200),
    ("partners:detail", "partner", "post"): row(LOGIN, 405, 405, 405, 405),
    ("partners:create", None, "get"): row(LOGIN, 403, 403, 403, 200),
    ("partners:create", None, "post"): row(LOGIN, 403, 403, 403, 400),
    ("partners:update", "partner", "get"): row(LOGIN, 403, 403, 403, 200),
    ("partners:update", "partner", "post"): row(LOGIN, 403, 403, 403, 400),
    # Partners: escalating and redirecting a request, following the escalation (the team's).
    # An empty form is refused with a message (back to the page: 302); an escalation of
    # another request is a 404 (tests/partners/test_views_escalations.py).
    ("partners:escalate", "request_a", "post"): row(LOGIN, 403, 403, 302, 302),
    ("partners:redirect", "request_a", "post"): row(LOGIN, 403, 403, 302, 302),
    ("partners:escalation_reference", "escalation_a", "post"): row(LOGIN, 403, 403, 302, 302),
    ("partners:escalation_answer", "escalation_a", "post"): row(LOGIN, 403, 403, 302, 302),
    # Partners: their response times (the pilot's).
    ("partners:stats", None, "get"): row(LOGIN, 403, 403, 403, 200),
    ("partners:stats", None, "post"): row(LOGIN, 403, 403, 403, 405),
    ("partners:stats_export", "csv", "get"): row(LOGIN, 403, 403, 403, 200),
    ("partners:stats_export", "xlsx", "get"): row(LOGIN, 403, 403, 403, 200),
    # Partners: the ministries' support actions, coverage and follow-ups.
    # The team reads and records them (an empty form: the form and its errors, 200); the
    # pilot's follow-up notes on the partners are the pilot's only (a member: 403 too).
    ("partners:actions", None, "get"): row(LOGIN, 403, 403, 200, 200),
    ("partners:actions", None, "post"): row(LOGIN, 403, 403, 405, 405),
    ("partners:action_create", None, "get"): row(LOGIN, 403, 403, 200, 200),
    ("partners:action_create", None, "post"): row(LOGIN, 403, 403, 200, 200),
    ("partners:action_update", "support_action", "get"): row(LOGIN, 403, 403, 200, 200),
    ("partners:action_update", "support_action", "post"): row(LOGIN, 403, 403, 200, 200),
    ("partners:action_import", None, "get"): row(LOGIN, 403, 403, 200, 200),
    ("partners:action_import", None, "post"): row(LOGIN, 403, 403, 200, 200),
    ("partners:coverage", None, "get"): row(LOGIN, 403, 403, 200, 200),
    ("partners:coverage", None, "post"): row(LOGIN, 403, 403, 405, 405),
    ("partners:follow_ups", None, "get"): row(LOGIN, 403, 403, 403, 200),
    ("partners:follow_ups", None, "post"): row(LOGIN, 403, 403, 403, 200),
    ("partners:follow_up_done", "follow_up", "get"): row(LOGIN, 403, 403, 403, 405),
    ("partners:follow_up_done", "follow_up", "post"): row(LOGIN, 403, 403, 403, 302),
}


@pytest.fixture
def world(db):
    ddi_a, ddi_b = DDIFactory(), DDIFactory()
    people = {
        "anonymous": None,
        "agent_a": UserFactory(ddi=ddi_a),
        "agent_b": UserFactory(ddi=ddi_b),
        "member": TeamMemberFactory().user,
        "pilot": TeamMemberFactory(user=UserFactory(pilot=True)).user,
    }
    request_a = SupportRequestFactory(requester=UserFactory(ddi=ddi_a))
    note = MessageFactory(request=request_a, internal=True, body="Note interne secrète")
    public_file = Attachment.objects.create(
        request=request_a,
        uploaded_by=request_a.requester,
        file=SimpleUploadedFile("capture.png", b"\x89PNG\r\n\x1a\n" + b"0" * 32),
        original_name="capture.png",
        content_type="image/png",
        size=40,
    )
    internal_file = Attachment.objects.create(
        request=request_a,
        message=note,
        uploaded_by=note.author,
        file=SimpleUploadedFile("interne.txt", b"secret"),
        original_name="interne.txt",
        content_type="text/plain",
        size=6,
    )
    # Someone else's saved filter: nobody but its owner may delete it.
    saved = SavedFilter.objects.create(
        owner=TeamMemberFactory().user, name="Mes urgentes", query="priority=urgent"
    )
    # A milestone for the DDIs served by one CSP, which serves ddi_a only.
    milestone_a = MilestoneFactory(service_centres=[AttachmentFactory(ddi=ddi_a).service_centre])
    CalendarToken.objects.create(user=people["agent_a"], token="jeton-de-l-agent-a")
    # The most recent study, not open to agents; an experiment in agent_a's own DDI.
    study = StudyFactory()
    experiment = ExperimentFactory(recommendation__study=study, ddi=ddi_a)
    return {
        "people": people,
        "study_diagnostic": DiagnosticFactory(study=study, ddi=ddi_a),
        "study_recommendation": experiment.recommendation,
        "study_experiment": experiment,
        "article": ArticleFactory(),
        "draft_article": ArticleFactory(draft=True),
        "milestone_a": milestone_a,
        "request_a": request_a,
        "note": note,
        "public_file": public_file,
        "internal_file": internal_file,
        "saved_filter": saved,
        "canned": CannedResponse.objects.create(
            title="Demande de précisions", body="Bonjour {demandeur}, pouvez-vous préciser ?"
        ),
        "problem": ProblemFactory(),
        "routing_rule": _routing_rule(people),
        "absence": Absence.objects.create(
            member=TeamMemberFactory(), start=date(2011, 12, 1), end=date(2999, 12, 31)
        ),
        "pending_sign_in": PendingSignIn.objects.create(email="inconnu@example.org"),
        **_interventions_world(people, ddi_a),
        **_partners_world(people, request_a),
    }


def _partners_world(people, request_a):
    partner = PartnerFactory(code="equipe-chorus-maaprat", name="Équipe Chorus du MAAPRAT")
    return {
        "partner": partner,
        "escalation_a": EscalationFactory(request=request_a, partner=partner),
        "support_action": SupportActionFactory(owner=partner),
        "follow_up": FollowUpNoteFactory(partner=partner, created_by=people["pilot"]),
    }


def _routing_rule(people):
    rule = RoutingRule.objects.create(name="Fin de gestion", axis=Axis.YEAR_END)
    rule.members.set([people["member"]])
    return rule


def _interventions_world(people, ddi_a):
    session_a = InterventionFactory(regions=[ddi_a.department.region])
    registration_a = RegistrationFactory(
        intervention=session_a, person=people["agent_a"], attended=True
    )
    return {
        "session_a": session_a,
        "draft_session": InterventionFactory(draft=True),
        "registration_a": registration_a,
    }


def build_url(name, target, world):
    if target is None:
        return reverse(name)
    if target == "reset":
        return reverse(name, kwargs={"uidb64": "AA", "token": "x-y"})
    if target == "milestone_a":
        return reverse(name, args=[world["milestone_a"].pk])
    if target == "feed_of_agent_a":
        return reverse(name) + "?jeton=jeton-de-l-agent-a"
    if target == "unknown_token":
        return reverse(name) + "?jeton=inconnu"
    if target in ("table_csv", "table_xlsx"):
        return reverse(name, kwargs={"view": "activite", "key": "by_axis", "fmt": target[6:]})
    if target == "unknown_table":
        return reverse(name, kwargs={"view": "activite", "key": "nothing", "fmt": "csv"})
    if target in ("csv", "xlsx"):
        return reverse(name, kwargs={"fmt": target})
    if target in ("article", "draft_article"):
        return reverse(name, args=[world[target].slug])
    if target in ("study_diagnostic", "study_recommendation", "study_experiment"):
        return reverse(name, args=[world[target].pk])
    if target == "refusal_pending":
        return reverse(name, kwargs={"reason": "compte-a-ouvrir"})
    if target == "pending_sign_in":
        return reverse(name, args=[world["pending_sign_in"].pk])
    if target in ("session_a", "draft_session", "registration_a"):
        return reverse(name, args=[world[target].pk])
    if target == "problem":
        return reverse(name, args=[world["problem"].pk])
    if target == "saved_filter":
        return reverse(name, args=[world["saved_filter"].pk])
    if target in ("routing_rule", "absence"):
        return reverse(name, args=[world[target].pk])
    if target == "canned":
        return reverse(name, args=[world["canned"].pk])
    if target == "canned_for_request_a":
        return reverse(name, args=[world["request_a"].reference, world["canned"].pk])
    if target == "partner":
        return reverse(name, args=[world["partner"].code])
    if target == "escalation_a":
        return reverse(name, args=[world["request_a"].reference, world["escalation_a"].pk])
    if target in ("support_action", "follow_up"):
        return reverse(name, args=[world[target].pk])
    if target in ("public_file", "internal_file"):
        attachment = world[target]
        return reverse(name, args=[attachment.request.reference, attachment.pk])
    return reverse(name, args=[world[target].reference])


CASES = [
    (name, target, method, role, expected)
    for (name, target, method), expected_by_role in MATRIX.items()
    for role, expected in expected_by_role.items()
]


@pytest.mark.parametrize(
    ("name", "target", "method", "role", "expected"),
    CASES,
    ids=[f"{name}[{target or '-'}]-{method}-{role}" for name, target, method, role, _ in CASES],
)
def test_status_by_role(client, world, name, target, method, role, expected):
    user = world["people"][role]
    if user is not None:
        client.force_login(user)
    url = build_url(name, target, world)
    response = getattr(client, method)(url)
    if response.streaming:
        # Reading a download to its end closes the file (the test client wraps it).
        b"".join(response.streaming_content)
    if expected == LOGIN:
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login") + "?next="), response.url
    else:
        assert response.status_code == expected, (url, role, response.status_code)
    if role.startswith("agent") and response.status_code == 200 and not response.streaming:
        body = response.content.decode()
        assert "Note interne secrète" not in body
        assert "interne.txt" not in body


def _all_url_names(patterns=None, namespace=None):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            if ns in EXCLUDED_NAMESPACES:
                continue
            full = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else ns
            yield from _all_url_names(entry.url_patterns, full)
        elif isinstance(entry, URLPattern):
            # An unnamed pattern cannot be in the matrix: it fails the test below.
            name = entry.name or f"<unnamed {entry.pattern}>"
            yield f"{namespace}:{name}" if namespace else name


def test_every_url_is_in_the_matrix():
    in_matrix = {name for name, _, _ in MATRIX}
    assert set(_all_url_names()) - in_matrix == set()


def test_an_internal_note_never_reaches_an_agent_of_its_own_ddi(client, world):
    agent = world["people"]["agent_a"]
    client.force_login(agent)
    page = client.get(reverse("support:detail", args=[world["request_a"].reference]))
    assert page.status_code == 200
    html = page.content.decode()
    assert world["note"].body not in html
    assert str(MessageKind.INTERNAL.label) not in html
