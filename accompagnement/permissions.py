"""Every access rule of the portal, in one place.

Views never decide access themselves: they use the decorators and the
`get_..._for_user_or_404` helpers below. The first rule of the portal: an agent sees
only their own DDI, and never an internal note.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied

from .enums import Role


def is_authenticated(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_agent(user) -> bool:
    return is_authenticated(user) and user.role == Role.AGENT and user.ddi_id is not None


def is_team(user) -> bool:
    """Members and the pilot work on the shared queue."""
    return is_authenticated(user) and user.role in (Role.MEMBER, Role.PILOT)


def is_pilot(user) -> bool:
    return is_authenticated(user) and user.role == Role.PILOT


def can_view_ddi(user, ddi) -> bool:
    if is_team(user):
        return True
    return is_agent(user) and ddi is not None and user.ddi_id == ddi.pk


def can_access_admin(user) -> bool:
    return is_authenticated(user) and user.is_staff


def role_required(predicate):
    """View decorator: 403 unless `predicate(user)` holds (login is already required)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not predicate(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# ---------------------------------------------------------------------------- requests


def requests_visible_to(user):
    """The support requests `user` may see: their DDI's for an agent, all for the team."""
    from .models import SupportRequest

    if is_team(user):
        return SupportRequest.objects.all()
    if is_agent(user):
        return SupportRequest.objects.filter(ddi_id=user.ddi_id)
    return SupportRequest.objects.none()


def get_request_for_user_or_404(user, reference: str, queryset=None):
    """The request `reference` if `user` may see it; 404 otherwise (never 403: an agent
    must not learn that another DDI's request exists)."""
    from django.http import Http404

    base = requests_visible_to(user) if queryset is None else queryset & requests_visible_to(user)
    request = base.filter(reference=reference).first()
    if request is None:
        raise Http404
    return request


def messages_visible_to(user, support_request):
    """Public replies for an agent; public replies and internal notes for the team."""
    from .enums import MessageKind

    messages = support_request.messages.all()
    if not is_team(user):
        messages = messages.filter(kind=MessageKind.PUBLIC)
    return messages


def events_visible_to(user, support_request):
    events = support_request.events.all()
    if not is_team(user):
        events = events.filter(is_public=True)
    return events


def get_attachment_for_user_or_404(user, reference: str, attachment_id: int):
    """An attachment of a visible request; internal notes' files never reach an agent."""
    from django.http import Http404

    from .enums import MessageKind
    from .models import Attachment

    request = get_request_for_user_or_404(user, reference)
    attachments = Attachment.objects.filter(request=request, pk=attachment_id)
    if not is_team(user):
        attachments = attachments.exclude(message__kind=MessageKind.INTERNAL)
    attachment = attachments.select_related("request").first()
    if attachment is None:
        raise Http404
    return attachment


def can_act_as_team_on(user, support_request) -> bool:
    return is_team(user)


def can_reply_to(user, support_request) -> bool:
    if support_request.anonymised_at is not None:
        return False
    return is_team(user) or (is_agent(user) and user.ddi_id == support_request.ddi_id)


def get_saved_filter_for_user_or_404(user, pk: int):
    """A member's own saved filter; another member's is never found."""
    from django.http import Http404

    from .models import SavedFilter

    saved = SavedFilter.objects.filter(owner_id=user.pk, pk=pk).first() if is_team(user) else None
    if saved is None:
        raise Http404
    return saved


# ---------------------------------------------------------------------------- calendar

# The query parameter of the calendar feed that carries a person's secret.
CALENDAR_FEED_PARAM = "jeton"


def can_view_calendar(user) -> bool:
    return is_agent(user) or is_team(user)


def can_acknowledge_milestone(user, milestone) -> bool:
    """Only an agent of a DDI the milestone targets marks it done: never the team on a DDI's
    behalf, never for an informational milestone. `milestone` comes with its audience
    (`selectors_campaigns.milestones_with_audience`)."""
    from .selectors_campaigns import ddi_profile, milestone_targets

    if not is_agent(user) or not milestone.needs_acknowledgement:
        return False
    profile = ddi_profile(user.ddi_id)
    return profile is not None and milestone_targets(milestone, profile)


def get_milestone_to_acknowledge_or_404(user, pk: int):
    """The milestone an agent marks done for their DDI.

    403 for anyone but an agent (the team does not acknowledge for a DDI); 404 for a
    milestone that does not concern the agent's DDI or needs no acknowledgement.
    """
    from django.http import Http404

    from .selectors_campaigns import milestones_with_audience

    if not is_agent(user):
        raise PermissionDenied
    milestone = milestones_with_audience().filter(pk=pk).first()
    if milestone is None or not can_acknowledge_milestone(user, milestone):
        raise Http404
    return milestone


def get_calendar_feed_user_or_404(request):
    """Whose calendar a request for the iCalendar feed opens.

    With `?jeton=…`, the owner of that secret, whoever is logged in: a calendar application
    subscribes without a session, and the secret alone identifies the person. Without the
    parameter, the logged-in user. Anything else (no session, unknown or empty secret, an
    inactive account or one without a role) is a 404, which tells nothing about accounts.
    """
    from django.http import Http404

    from .models import CalendarToken

    if CALENDAR_FEED_PARAM in request.GET:
        secret = request.GET[CALENDAR_FEED_PARAM]
        token = (
            CalendarToken.objects.select_related("user").filter(token=secret).first()
            if secret
            else None
        )
        user = token.user if token is not None else None
    else:
        user = request.user
    if not can_view_calendar(user):
        raise Http404
    return user


# ---------------------------------------------------------------------------- knowledge base


def can_read_articles(user) -> bool:
    return is_agent(user) or is_team(user)


def can_write_articles(user) -> bool:
    """Members and the pilot write the knowledge base; agents only read it."""
    return is_team(user)


def can_see_suggestion_figures(user) -> bool:
    return is_pilot(user)


def articles_visible_to(user):
    """Every article for the team (drafts and archived included); published ones for an
    agent; nothing for anyone else."""
    from .models import Article

    if is_team(user):
        return Article.objects.all()
    if is_agent(user):
        return Article.objects.published()
    return Article.objects.none()


def get_article_for_user_or_404(user, slug: str, queryset=None):
    """The article `slug` if `user` may read it; 404 otherwise (an agent never learns that
    a draft exists)."""
    from django.http import Http404

    base = articles_visible_to(user) if queryset is None else queryset & articles_visible_to(user)
    article = base.filter(slug=slug).first()
    if article is None:
        raise Http404
    return article


# ---------------------------------------------------------------------------- study


def can_view_study(user, study) -> bool:
    """The team follows the optimisation study; agents read it once the pilot opens it."""
    if is_team(user):
        return True
    return is_agent(user) and study is not None and study.visible_to_agents


def can_edit_study(user) -> bool:
    return is_team(user)


def can_open_study_to_agents(user) -> bool:
    return is_pilot(user)


def get_study_for_user_or_404(user):
    """The study the pages follow (the most recent): 403 for an agent while it is not open
    to agents, 404 when there is none."""
    from django.http import Http404

    from .selectors_study import current_study

    if not (is_team(user) or is_agent(user)):
        raise PermissionDenied
    study = current_study()
    if not can_view_study(user, study):
        raise PermissionDenied
    if study is None:
        raise Http404
    return study


def _study_object_for_editor_or_404(user, queryset, pk: int):
    from django.http import Http404

    if not can_edit_study(user):
        raise PermissionDenied
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def get_diagnostic_for_editor_or_404(user, pk: int):
    from .models import Diagnostic

    return _study_object_for_editor_or_404(
        user, Diagnostic.objects.select_related("study", "ddi__department"), pk
    )


def get_recommendation_for_editor_or_404(user, pk: int):
    from .models import Recommendation

    return _study_object_for_editor_or_404(user, Recommendation.objects.select_related("study"), pk)


def get_experiment_for_editor_or_404(user, pk: int):
    from .models import Experiment

    return _study_object_for_editor_or_404(
        user, Experiment.objects.select_related("recommendation__study", "ddi__department"), pk
    )


# ---------------------------------------------------------------------------- problems


def can_manage_problems(user) -> bool:
    """Problems are the team's: agents only see an answer on their own request."""
    return is_team(user)


def get_problem_for_user_or_404(user, pk: int, queryset=None):
    """403 for anyone outside the team, 404 for an unknown problem."""
    from django.http import Http404

    from .models import Problem

    if not can_manage_problems(user):
        raise PermissionDenied
    problem = (Problem.objects.all() if queryset is None else queryset).filter(pk=pk).first()
    if problem is None:
        raise Http404
    return problem


# ---------------------------------------------------------------------------- ProConnect


def can_manage_sign_ins(user) -> bool:
    """The pilot opens the accounts of people who signed in with ProConnect unknown."""
    return is_pilot(user)


def get_pending_sign_in_for_user_or_404(user, pk: int):
    """A sign-in still waiting for its account: 403 for anyone but the pilot, 404 for an
    unknown one or one whose account is already open."""
    from django.http import Http404

    from .selectors_signins import pending_sign_ins

    if not can_manage_sign_ins(user):
        raise PermissionDenied
    pending = pending_sign_ins().filter(pk=pk).first()
    if pending is None:
        raise Http404
    return pending


# ---------------------------------------------------------------------------- interventions


def can_view_interventions(user) -> bool:
    return is_agent(user) or is_team(user)


def can_manage_interventions(user) -> bool:
    """Members and the pilot announce sessions, change them and record attendance."""
    return is_team(user)


def can_register_for_interventions(user) -> bool:
    """Agents register themselves or colleagues of their own DDI."""
    return is_agent(user)


def can_view_intervention_coverage(user) -> bool:
    return is_pilot(user)


def can_cancel_registration(user, registration) -> bool:
    """An agent of the registrant's DDI, or the team."""
    return is_team(user) or (is_agent(user) and user.ddi_id == registration.ddi_id)


def can_give_feedback(user, registration) -> bool:
    """Only the attendee, once the team recorded them present."""
    return (
        is_agent(user)
        and registration.person_id == user.pk
        and registration.cancelled_at is None
        and registration.attended is True
    )


def get_intervention_for_user_or_404(user, pk: int, queryset=None):
    """A session `user` may see: any for the team; for an agent, a session opened to their
    DDI's audience (a draft or another audience's session does not exist: 404)."""
    from django.http import Http404

    from .models import Intervention, InterventionStatus
    from .selectors_interventions import intervention_targets_ddi

    if not can_view_interventions(user):
        raise PermissionDenied
    base = Intervention.objects.all() if queryset is None else queryset
    intervention = base.filter(pk=pk).first()
    if intervention is None:
        raise Http404
    if not is_team(user) and (
        intervention.status == InterventionStatus.DRAFT
        or not intervention_targets_ddi(intervention, user.ddi_id)
    ):
        raise Http404
    return intervention


def get_intervention_to_manage_or_404(user, pk: int):
    from django.http import Http404

    from .models import Intervention

    if not can_manage_interventions(user):
        raise PermissionDenied
    intervention = Intervention.objects.filter(pk=pk).first()
    if intervention is None:
        raise Http404
    return intervention


def get_registration_to_cancel_or_404(user, pk: int):
    """An active registration of the agent's own DDI (another DDI's is a 404), any for the
    team."""
    from django.http import Http404

    from .models import Registration

    if not can_view_interventions(user):
        raise PermissionDenied
    registration = (
        Registration.objects.active().select_related("intervention", "person").filter(pk=pk).first()
    )
    if registration is None or not can_cancel_registration(user, registration):
        raise Http404
    return registration


def get_registration_for_feedback_or_404(user, pk: int):
    """The attendee's own registration; anyone else's is a 404."""
    from django.http import Http404

    from .models import Registration

    if not can_view_interventions(user):
        raise PermissionDenied
    registration = (
        Registration.objects.select_related("intervention", "feedback").filter(pk=pk).first()
    )
    if registration is None or not can_give_feedback(user, registration):
        raise Http404
    return registration
