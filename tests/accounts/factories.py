import factory
from factory.django import DjangoModelFactory

from accompagnement.accounts.models import Role, TeamMember, User
from tests.ddi.factories import DDIFactory, StructureFactory

DEFAULT_PASSWORD = "mot-de-passe-de-test-assez-long"


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
