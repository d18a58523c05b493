import factory
from factory.django import DjangoModelFactory

from accompagnement.problems.models import Problem, ProblemAnswer
from tests.accounts.factories import UserFactory
from tests.support.factories import CategoryFactory


class ProblemFactory(DjangoModelFactory):
    """An open problem without requests (link them with `problems.services`)."""

    class Meta:
        model = Problem

    title = factory.Sequence(lambda n: f"Restitution INF-BUD-53 fausse après la version {n}")
    description = "Les montants engagés sont doublés depuis la dernière version de Chorus."
    category = factory.SubFactory(CategoryFactory)
    created_by = factory.SubFactory(UserFactory, member=True)


class ProblemAnswerFactory(DjangoModelFactory):
    """A bare answer row: posting it to requests goes through `problems.services`."""

    class Meta:
        model = ProblemAnswer

    problem = factory.SubFactory(ProblemFactory)
    author = factory.LazyAttribute(lambda o: o.problem.created_by)
    body = "Un correctif est en cours à l’AIFE ; relancez la restitution demain."
