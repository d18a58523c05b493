from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accompagnement.axes.models import Axis, Category
from accompagnement.support.enums import PAUSED_STATUSES, EventKind, MessageKind, Priority, Status
from accompagnement.support.models import Event, Message, SupportRequest
from accompagnement.support.sla import holiday_subdivision, sla_schedule, working_days_elapsed
from tests.accounts.factories import UserFactory


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ["code"]

    axis = Axis.TOOL
    code = factory.Sequence(lambda n: f"categorie-{n}")
    name = factory.Sequence(lambda n: f"Catégorie {n}")


class SupportRequestFactory(DjangoModelFactory):
    """A request as the services would have filed it (reference, SLA clock and due dates,
    durations, follower).

    Traits: `assigned=True` (to a new member), `overdue=True`, `waiting=True`,
    `resolved=True`.
    """

    class Meta:
        model = SupportRequest
        skip_postgeneration_save = True

    requester = factory.SubFactory(UserFactory)
    ddi = factory.LazyAttribute(lambda o: o.requester.ddi)
    reference = factory.Sequence(lambda n: f"ACC-2011-{n + 1:05d}")
    axis = Axis.TOOL
    category = factory.SubFactory(CategoryFactory, axis=factory.SelfAttribute("..axis"))
    title = factory.Sequence(lambda n: f"Restitution INF-BUD-53 incomplète n°{n}")
    body = "La restitution ne montre pas les EJ basculés."
    priority = Priority.NORMAL
    status = Status.NEW
    created_at = factory.LazyFunction(timezone.now)
    last_activity_at = factory.LazyAttribute(lambda o: o.created_at)
    # The team's clock as the services set it (`sla.sla_schedule`): running, or paused
    # since the last activity for a request waiting for its DDI or a partner.
    sla_paused_seconds = 0
    sla_paused_at = factory.LazyAttribute(
        lambda o: o.last_activity_at if o.status in PAUSED_STATUSES else None
    )
    sla_started_at = factory.LazyAttribute(lambda o: o.schedule.started_at)
    first_response_due = factory.LazyAttribute(lambda o: o.schedule.first_response_due)
    first_response_warning_at = factory.LazyAttribute(
        lambda o: o.schedule.first_response_warning_at
    )
    resolution_due = factory.LazyAttribute(lambda o: o.schedule.resolution_due)
    resolution_warning_at = factory.LazyAttribute(lambda o: o.schedule.resolution_warning_at)
    first_response_at = None
    resolved_at = None
    first_response_days = factory.LazyAttribute(
        lambda o: working_days_elapsed(o.created_at, o.first_response_at)
    )
    resolution_days = factory.LazyAttribute(
        lambda o: working_days_elapsed(o.created_at, o.resolved_at)
    )

    class Params:
        schedule = factory.LazyAttribute(
            lambda o: sla_schedule(
                o.priority,
                o.created_at,
                holiday_subdivision(o.ddi.department.code),
                paused_seconds=o.sla_paused_seconds,
            )
        )
        assigned = factory.Trait(
            assignee=factory.SubFactory(UserFactory, member=True), status=Status.IN_PROGRESS
        )
        # Past its due dates (a paused clock stopped after they passed).
        overdue = factory.Trait(
            created_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=40)),
            sla_paused_at=factory.LazyAttribute(
                lambda o: timezone.now() if o.status in PAUSED_STATUSES else None
            ),
        )
        waiting = factory.Trait(status=Status.WAITING_DDI)
        resolved = factory.Trait(
            status=Status.RESOLVED, resolved_at=factory.LazyFunction(timezone.now)
        )

    @factory.post_generation
    def followers(self, create, extracted, **kwargs):
        if create:
            self.followers.add(self.requester, *(extracted or []))


class MessageFactory(DjangoModelFactory):
    class Meta:
        model = Message

    request = factory.SubFactory(SupportRequestFactory)
    author = factory.LazyAttribute(lambda o: o.request.requester)
    kind = MessageKind.PUBLIC
    body = factory.Sequence(lambda n: f"Message n°{n}")

    class Params:
        internal = factory.Trait(
            kind=MessageKind.INTERNAL, author=factory.SubFactory(UserFactory, member=True)
        )


class EventFactory(DjangoModelFactory):
    class Meta:
        model = Event

    request = factory.SubFactory(SupportRequestFactory)
    actor = factory.LazyAttribute(lambda o: o.request.requester)
    kind = EventKind.STATUS
    field = "status"
    old_value = Status.NEW
    new_value = Status.IN_PROGRESS
    is_public = True
