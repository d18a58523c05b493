"""Reads of the interventions: which sessions concern a DDI, their places, their
registrants as each role may see them, the sessions of a person's calendar, and the pilot's
coverage of the DDIs by topic; and who may see, manage, register for or rate a session
(the `get_<thing>_for` helpers views use, which raise 403 or 404).

The audience of a session mixes a JSON list (DDI kinds) and two many-to-many relations:
the pages read the sessions with their audience (a few queries) and match them in memory
against the DDI's profile (1 query), as the calendar does for milestones
(`accompagnement.audience`).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Count,
    DateTimeField,
    ExpressionWrapper,
    F,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from accompagnement.accounts import roles
from accompagnement.accounts.models import User
from accompagnement.accounts.roles import is_agent, is_pilot, is_team
from accompagnement.audience import (
    Audience,
    AudienceFields,
    DDIProfile,
    ddi_profile,
    describe,
    reaches,
)
from accompagnement.axes.models import Category
from accompagnement.interventions.models import (
    Feedback,
    Intervention,
    InterventionStatus,
    Registration,
)
from accompagnement.support.models import SupportRequest
from ddi.models import DDI, Programme, Region

COVERAGE_WINDOW = timedelta(days=90)


# A session targets DDIs by kind, by region and by the programmes they are attached for.
INTERVENTION_AUDIENCE = AudienceFields(
    kinds="ddi_kinds", regions="regions", programmes="programmes"
)


def intervention_targets(intervention: Intervention, profile: DDIProfile) -> bool:
    """Every audience criterion filled in holds (uses prefetched regions and programmes)."""
    return reaches(Audience.of(intervention, INTERVENTION_AUDIENCE), profile)


def intervention_targets_ddi(intervention: Intervention, ddi_id: int) -> bool:
    profile = ddi_profile(ddi_id)
    return profile is not None and intervention_targets(intervention, profile)


def audience_description(intervention: Intervention) -> str:
    """ "Toutes les DDI", or "DDT · Bretagne · programmes 207" (plural even for one)."""
    return describe(Audience.of(intervention, INTERVENTION_AUDIENCE), singular_programme=False)


# ---------------------------------------------------------------------------- lists


def interventions_with_places() -> QuerySet[Intervention]:
    """Sessions with their audience, topics and speakers, and their places taken (5
    queries once evaluated, whatever their number)."""
    return (
        Intervention.objects.select_related("department", "region")
        .prefetch_related(
            Prefetch("topics", queryset=Category.objects.order_by("position", "name")),
            Prefetch("regions", queryset=Region.objects.order_by("name")),
            Prefetch("programmes", queryset=Programme.objects.order_by("code")),
            Prefetch("speakers", queryset=User.objects.order_by("last_name", "first_name")),
        )
        .annotate(
            confirmed_count=Count(
                "registrations",
                filter=Q(
                    registrations__cancelled_at__isnull=True,
                    registrations__waiting_rank__isnull=True,
                ),
            ),
            waiting_count=Count(
                "registrations",
                filter=Q(
                    registrations__cancelled_at__isnull=True,
                    registrations__waiting_rank__isnull=False,
                ),
            ),
        )
        .order_by("-starts_at", "pk")
    )


def display_status(intervention: Intervention) -> str:
    """The status shown: an open session at capacity is « Complète »."""
    if (
        intervention.status == InterventionStatus.OPEN
        and intervention.confirmed_count >= intervention.capacity
    ):
        return InterventionStatus.FULL
    return intervention.status


def interventions_for_team() -> list[Intervention]:
    sessions = list(interventions_with_places())
    for session in sessions:
        session.display_status = InterventionStatus(display_status(session))
    return sessions


def interventions_for_ddi(ddi_id: int) -> list[Intervention]:
    """The sessions an agent's DDI may see (not drafts), with its own registrants counted."""
    profile = ddi_profile(ddi_id)
    if profile is None:
        return []
    sessions = interventions_with_places().exclude(status=InterventionStatus.DRAFT)
    sessions = sessions.annotate(
        own_count=Subquery(
            Registration.objects.active()
            .filter(intervention=OuterRef("pk"), ddi_id=ddi_id)
            .order_by()
            .values("intervention")
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        )
    )
    visible = [s for s in sessions if intervention_targets(s, profile)]
    for session in visible:
        session.display_status = InterventionStatus(display_status(session))
    return visible


def intervention_page_queryset() -> QuerySet[Intervention]:
    return interventions_with_places().prefetch_related("articles")


# ---------------------------------------------------------------------------- registrants


def registrations_visible_to(user, intervention: Intervention) -> QuerySet[Registration]:
    """Active registrations: all for the team, their own DDI's only for an agent."""

    registrations = (
        intervention.registrations.active()
        .select_related("person", "ddi__department", "registered_by", "feedback")
        .order_by(Coalesce("waiting_rank", Value(0)), "person__last_name", "pk")
    )
    if roles.is_team(user):
        return registrations
    if roles.is_agent(user):
        return registrations.filter(ddi_id=user.ddi_id)
    return registrations.none()


def colleagues_to_register(user, intervention: Intervention) -> QuerySet[User]:
    """The agents of the user's DDI not yet registered (the user first)."""
    taken = intervention.registrations.active().values("person_id")
    return (
        User.objects.filter(ddi_id=user.ddi_id, is_active=True, role=user.role)
        .exclude(pk__in=taken)
        .order_by("last_name", "first_name")
    )


def attending_ddis(intervention: Intervention) -> list[dict]:
    """The DDIs with confirmed registrants, and how many each (for the speakers)."""
    rows = (
        intervention.registrations.confirmed()
        .values("ddi__name")
        .annotate(people=Count("pk"))
        .order_by("ddi__name")
    )
    return [{"name": row["ddi__name"], "people": row["people"]} for row in rows]


def feedback_summary(intervention: Intervention) -> dict:
    feedbacks = list(
        Feedback.objects.filter(registration__intervention=intervention).order_by("-created_at")
    )
    scores = [f.score for f in feedbacks]
    return {
        "count": len(scores),
        "average": round(sum(scores) / len(scores), 1) if scores else None,
        "comments": [f.comment for f in feedbacks if f.comment],
    }


# ---------------------------------------------------------------------------- calendar


def sessions_for_calendar(user) -> QuerySet[Intervention]:
    """A person's sessions: those they hold a confirmed place at, or speak at (not drafts
    nor cancelled ones)."""
    return (
        Intervention.objects.filter(
            Q(registrations__person=user, registrations__cancelled_at__isnull=True)
            & Q(registrations__waiting_rank__isnull=True)
            | Q(speakers=user)
        )
        .exclude(status__in=[InterventionStatus.DRAFT, InterventionStatus.CANCELLED])
        .distinct()
        .order_by("starts_at", "pk")
    )


def upcoming_sessions_for_calendar(user, *, now: datetime | None = None) -> list[Intervention]:
    now = now or timezone.now()
    return list(sessions_for_calendar(user).filter(starts_at__gte=now - timedelta(hours=12))[:20])


# ---------------------------------------------------------------------------- coverage


@dataclass
class TopicCoverage:
    topic: str
    rows: list = field(default_factory=list)


def coverage_by_topic() -> list[TopicCoverage]:
    """Per topic, the DDIs that attended a session on it, with their first attended
    session and the requests they filed on the topic in the 90 days before and after it
    (1 query: the counts are correlated subqueries)."""
    attendance = (
        Registration.objects.filter(
            attended=True,
            cancelled_at__isnull=True,
            intervention__status=InterventionStatus.HELD,
            intervention__topics__isnull=False,
        )
        .values(
            "ddi_id",
            "ddi__name",
            "ddi__kind",
            "ddi__department__region__name",
            topic_id=F("intervention__topics"),
            topic_name=F("intervention__topics__name"),
        )
        .annotate(first_at=Min("intervention__starts_at"))
        .order_by("topic_name", "topic_id", "ddi__name")
    )
    # Reading `first_at` in the request counts would put an aggregate in a subquery: the
    # first session is read again, per pair, as a subquery of its own.
    first_session = (
        Registration.objects.filter(
            attended=True,
            cancelled_at__isnull=True,
            intervention__status=InterventionStatus.HELD,
            ddi_id=OuterRef(OuterRef("ddi_id")),
            intervention__topics=OuterRef(OuterRef("topic_id")),
        )
        .order_by("intervention__starts_at")
        .values("intervention__starts_at")[:1]
    )

    def requests_between(before: bool):
        start = Subquery(first_session, output_field=DateTimeField())
        window = ExpressionWrapper(
            start - COVERAGE_WINDOW if before else start + COVERAGE_WINDOW,
            output_field=DateTimeField(),
        )
        bounds = (
            {"created_at__gte": window, "created_at__lt": start}
            if before
            else {"created_at__gte": start, "created_at__lt": window}
        )
        return Coalesce(
            Subquery(
                SupportRequest.objects.filter(
                    ddi_id=OuterRef("ddi_id"), category_id=OuterRef("topic_id"), **bounds
                )
                .order_by()
                .values("ddi_id")
                .annotate(n=Count("pk"))
                .values("n"),
                output_field=IntegerField(),
            ),
            Value(0),
        )

    rows = attendance.annotate(
        requests_before=requests_between(True), requests_after=requests_between(False)
    )
    topics: dict[int, TopicCoverage] = {}
    for row in rows:
        topics.setdefault(row["topic_id"], TopicCoverage(row["topic_name"])).rows.append(row)
    return list(topics.values())


@dataclass
class UncoveredGroup:
    kind: str
    region: str
    ddis: list = field(default_factory=list)


def ddis_never_attended() -> list[UncoveredGroup]:
    """The DDIs none of whose agents attended any session, by kind and region (1 query)."""
    attended = Registration.objects.filter(
        attended=True,
        cancelled_at__isnull=True,
        intervention__status=InterventionStatus.HELD,
    ).values("ddi_id")
    ddis = (
        DDI.objects.exclude(pk__in=attended)
        .select_related("department__region")
        .order_by("kind", "department__region__name", "department__code")
    )
    groups: dict[tuple, UncoveredGroup] = defaultdict(lambda: None)
    result = []
    for ddi in ddis:
        key = (ddi.kind, ddi.department.region.name)
        if groups[key] is None:
            groups[key] = UncoveredGroup(kind=ddi.kind, region=ddi.department.region.name)
            result.append(groups[key])
        groups[key].ddis.append(ddi)
    return result


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


def get_intervention_for(user, pk: int, queryset=None):
    """A session `user` may see: any for the team; for an agent, a session opened to their
    DDI's audience (a draft or another audience's session does not exist: 404)."""

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


def get_intervention_to_manage_for(user, pk: int):

    if not can_manage_interventions(user):
        raise PermissionDenied
    intervention = Intervention.objects.filter(pk=pk).first()
    if intervention is None:
        raise Http404
    return intervention


def get_registration_to_cancel_for(user, pk: int):
    """An active registration of the agent's own DDI (another DDI's is a 404), any for the
    team."""

    if not can_view_interventions(user):
        raise PermissionDenied
    registration = (
        Registration.objects.active().select_related("intervention", "person").filter(pk=pk).first()
    )
    if registration is None or not can_cancel_registration(user, registration):
        raise Http404
    return registration


def get_registration_to_rate_for(user, pk: int):
    """The attendee's own registration; anyone else's is a 404."""

    if not can_view_interventions(user):
        raise PermissionDenied
    registration = (
        Registration.objects.select_related("intervention", "feedback").filter(pk=pk).first()
    )
    if registration is None or not can_give_feedback(user, registration):
        raise Http404
    return registration
