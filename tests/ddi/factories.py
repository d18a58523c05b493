import factory
from factory.django import DjangoModelFactory

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
