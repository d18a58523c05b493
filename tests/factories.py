import factory
from factory.django import DjangoModelFactory

from accompagnement.enums import Role
from accompagnement.models import TeamMember, User
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
