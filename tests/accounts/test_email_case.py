"""E-mail addresses are stored in lower case; the migration that lower-cases the existing
ones merges nothing and reports the accounts that differ only by case."""

import importlib
import logging

import pytest
from django.apps import apps
from django.db import migrations

from accompagnement.accounts.models import Role, User
from accompagnement.accounts.services import user_upsert
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

MIGRATION = "accompagnement.migrations.0012_user_emails_lower_case"


def test_accounts_are_stored_in_lower_case_whatever_the_case_typed():
    created = User.objects.create_user(
        "Jeanne.Martin@Example.ORG", first_name="J", last_name="M", role=Role.MEMBER
    )
    upserted, _ = user_upsert(
        email="Paul.Durand@EXAMPLE.org", first_name="P", last_name="D", role=Role.PILOT
    )
    again, was_created = user_upsert(
        email="PAUL.DURAND@example.org", first_name="Paul", last_name="D", role=Role.PILOT
    )
    assert created.email == "jeanne.martin@example.org"
    assert upserted.email == "paul.durand@example.org"
    assert (again.pk, was_created) == (upserted.pk, False)


def test_the_migration_lower_cases_emails_and_reports_case_clashes(caplog):
    alone = UserFactory(email="Jean.Dupont@Example.ORG")
    already = UserFactory(email="deja.minuscule@example.org")
    first = UserFactory(email="Marie.Curie@example.org")
    second = UserFactory(email="marie.curie@EXAMPLE.ORG")

    migration = importlib.import_module(MIGRATION)
    with caplog.at_level(logging.WARNING):
        migration.user_emails_lower_case(apps, None)

    for user in (alone, already, first, second):
        user.refresh_from_db()
    assert alone.email == "jean.dupont@example.org"
    assert already.email == "deja.minuscule@example.org"
    # Nothing merged, nothing renamed: both accounts are left for a person to sort out.
    assert (first.email, second.email) == ("Marie.Curie@example.org", "marie.curie@EXAMPLE.ORG")
    report = caplog.text
    assert "marie.curie@example.org" in report
    assert f"#{first.pk} Marie.Curie@example.org" in report
    assert f"#{second.pk} marie.curie@EXAMPLE.ORG" in report
    assert "jean.dupont" not in report.lower()


def test_the_migration_reports_nothing_when_no_account_clashes(caplog):
    UserFactory(email="Seul@Example.org")
    migration = importlib.import_module(MIGRATION)
    with caplog.at_level(logging.WARNING):
        migration.user_emails_lower_case(apps, None)
    assert caplog.text == ""
    assert User.objects.filter(email="seul@example.org").exists()


def test_the_migration_can_be_reversed_without_changing_anything():
    operation = importlib.import_module(MIGRATION).Migration.operations[0]
    assert isinstance(operation, migrations.RunPython)
    assert operation.reversible
    assert operation.reverse_code is migrations.RunPython.noop
