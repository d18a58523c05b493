from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accompagnement.accounts.models import Role, TeamMember, User
from accompagnement.axes.models import Axis, Category
from accompagnement.support.enums import EventKind, MessageKind, Priority, Status
from accompagnement.support.models import Event, Message, SupportRequest
from accompagnement.support.sla import due_dates, working_days_elapsed
from ddi.enums import DDIKind, StructureKind
from ddi.models import (
    DDI,
    Department,
    Ministry,
    Programme,
    Region,
    ServiceCentre,
    ServiceCentreAttachment,
    Structure,
)

DEFAULT_PASSWORD = "mot-de-passe-de-test-assez-long"


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"{n % 900 + 100}")
    name = factory.Sequence(lambda n: f"Région {n}")


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"{n % 900 + 100}")
    name = factory.Sequence(lambda n: f"Département {n}")
    region = factory.SubFactory(RegionFactory)


class DDIFactory(DjangoModelFactory):
    class Meta:
        model = DDI

    kind = DDIKind.DDPP
    department = factory.SubFactory(DepartmentFactory)
    name = factory.LazyAttribute(lambda o: f"Direction {o.kind} {o.department.name}")


class MinistryFactory(DjangoModelFactory):
    class Meta:
        model = Ministry
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"MIN{n}")
    name = factory.Sequence(lambda n: f"Ministère {n}")


class ProgrammeFactory(DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"{n % 900 + 100}")
    label = factory.Sequence(lambda n: f"Programme {n}")
    ministry = factory.SubFactory(MinistryFactory)


class ServiceCentreFactory(DjangoModelFactory):
    class Meta:
        model = ServiceCentre

    code = factory.Sequence(lambda n: f"csp-{n}")
    name = factory.Sequence(lambda n: f"CSP de test {n}")
    ministry = factory.SubFactory(MinistryFactory)
    email = factory.Sequence(lambda n: f"csp-{n}@example.org")


class AttachmentFactory(DjangoModelFactory):
    class Meta:
        model = ServiceCentreAttachment

    ddi = factory.SubFactory(DDIFactory)
    programme = factory.SubFactory(ProgrammeFactory)
    service_centre = factory.SubFactory(ServiceCentreFactory)


class StructureFactory(DjangoModelFactory):
    class Meta:
        model = Structure
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"structure-{n}")
    name = factory.Sequence(lambda n: f"Structure {n}")
    kind = StructureKind.SGG


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@example.org")
    first_name = factory.Sequence(lambda n: f"Prénom{n}")
    last_name = factory.Sequence(lambda n: f"Nom{n}")
    role = Role.AGENT
    ddi = factory.SubFactory(DDIFactory)
    password = factory.django.Password(DEFAULT_PASSWORD)

    class Params:
        member = factory.Trait(role=Role.MEMBER, ddi=None)
        pilot = factory.Trait(role=Role.PILOT, ddi=None)


class TeamMemberFactory(DjangoModelFactory):
    class Meta:
        model = TeamMember

    user = factory.SubFactory(UserFactory, member=True)
    structure = factory.SubFactory(StructureFactory)
    time_share = 50


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ["code"]

    axis = Axis.TOOL
    code = factory.Sequence(lambda n: f"categorie-{n}")
    name = factory.Sequence(lambda n: f"Catégorie {n}")


class SupportRequestFactory(DjangoModelFactory):
    """A request as the services would have filed it (reference, SLA dates, durations,
    follower).

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
    first_response_due = factory.LazyAttribute(lambda o: due_dates(o.priority, o.created_at)[0])
    resolution_due = factory.LazyAttribute(lambda o: due_dates(o.priority, o.created_at)[1])
    first_response_at = None
    resolved_at = None
    first_response_days = factory.LazyAttribute(
        lambda o: working_days_elapsed(o.created_at, o.first_response_at)
    )
    resolution_days = factory.LazyAttribute(
        lambda o: working_days_elapsed(o.created_at, o.resolved_at)
    )

    class Params:
        assigned = factory.Trait(
            assignee=factory.SubFactory(UserFactory, member=True), status=Status.IN_PROGRESS
        )
        overdue = factory.Trait(
            created_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=40))
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
