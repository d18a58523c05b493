"""The pilot's list of ProConnect sign-ins waiting for an account, and opening one."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accompagnement.accounts.models import (
    PendingSignIn,
    PendingSignInStatus,
    Role,
    TeamMember,
    User,
)
from accompagnement.accounts.proconnect import Claims
from accompagnement.accounts.services import (
    AccountAlreadyExists,
    pending_sign_in_open_account,
    pending_sign_in_record,
)
from tests.accounts.factories import UserFactory
from tests.ddi.factories import DDIFactory, StructureFactory


def claims(email="dominique@example.org", **overrides):
    values = {
        "sub": "sub-1",
        "email": email,
        "given_name": "Dominique",
        "usual_name": "Nouveau",
        "siret": "13000001200011",
        "organizational_unit": "Service budget",
        "idp_id": "fia1v2",
        "uid": "uid-1",
    }
    return Claims(**{**values, **overrides})


@pytest.mark.django_db
def test_signing_in_again_refreshes_the_claims_and_counts_the_attempts():
    first = pending_sign_in_record(claims=claims())
    again = pending_sign_in_record(claims=claims(organizational_unit="Bureau des achats"))
    assert again.pk == first.pk
    again.refresh_from_db()
    assert again.attempts == 2
    assert again.organizational_unit == "Bureau des achats"
    assert again.last_seen_at >= first.first_seen_at


@pytest.mark.django_db
def test_opening_as_agent_creates_a_passwordless_account_in_the_ddi(pilot):
    ddi = DDIFactory()
    pending = pending_sign_in_record(claims=claims())
    user = pending_sign_in_open_account(
        pending=pending,
        role=Role.AGENT,
        first_name="Dominique",
        last_name="Nouveau",
        ddi=ddi,
        opened_by=pilot,
    )
    assert (user.email, user.role, user.ddi) == ("dominique@example.org", Role.AGENT, ddi)
    assert not user.has_usable_password()
    pending.refresh_from_db()
    assert (pending.status, pending.account, pending.opened_by) == (
        PendingSignInStatus.OPENED,
        user,
        pilot,
    )
    with pytest.raises(AccountAlreadyExists):
        pending_sign_in_open_account(
            pending=pending,
            role=Role.AGENT,
            first_name="A",
            last_name="B",
            ddi=ddi,
            opened_by=pilot,
        )


@pytest.mark.django_db
def test_opening_an_address_that_already_has_an_account_creates_nothing(pilot):
    UserFactory(email="dominique@example.org")
    pending = pending_sign_in_record(claims=claims())
    with pytest.raises(AccountAlreadyExists):
        pending_sign_in_open_account(
            pending=pending,
            role=Role.MEMBER,
            first_name="D",
            last_name="N",
            structure=StructureFactory(),
            opened_by=pilot,
        )
    assert User.objects.filter(email="dominique@example.org").count() == 1


@pytest.mark.django_db
def test_pilot_sees_the_pending_sign_ins_with_their_claims(client, pilot):
    pending_sign_in_record(claims=claims())
    client.force_login(pilot)
    html = client.get(reverse("accounts:pending_list")).content.decode()
    for text in ("Dominique Nouveau", "dominique@example.org", "13000001200011", "Service budget"):
        assert text in html
    assert "1 connexion en attente" in html


@pytest.mark.django_db
def test_pending_list_runs_a_fixed_number_of_queries(client, pilot):
    client.force_login(pilot)
    for index in range(3):
        pending_sign_in_record(claims=claims(email=f"p{index}@example.org"))
    client.get(reverse("accounts:pending_list"))  # warm the session and the user
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("accounts:pending_list"))
    ddi, structure = DDIFactory(), StructureFactory()
    for index in range(3, 30):
        entry = pending_sign_in_record(claims=claims(email=f"p{index}@example.org"))
        if index % 2:
            pending_sign_in_open_account(
                pending=entry,
                role=Role.AGENT if index % 4 == 1 else Role.MEMBER,
                first_name="P",
                last_name=str(index),
                ddi=ddi,
                structure=structure,
                opened_by=pilot,
            )
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("accounts:pending_list"))
    assert "16 connexions en attente" in response.content.decode()
    assert len(many) == len(few), [q["sql"] for q in many]


@pytest.mark.django_db
def test_pilot_opens_the_account_as_an_agent_in_one_step(client, pilot):
    ddi = DDIFactory()
    pending = pending_sign_in_record(claims=claims())
    client.force_login(pilot)
    url = reverse("accounts:open_account", args=[pending.pk])
    form = client.get(url).content.decode()
    assert 'value="Dominique"' in form and 'value="Nouveau"' in form

    response = client.post(
        url,
        {"first_name": "Dominique", "last_name": "Nouveau", "role": Role.AGENT, "ddi": ddi.pk},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("accounts:pending_list")
    html = response.content.decode()
    assert "Le compte de Dominique Nouveau est ouvert" in html
    assert "Aucune connexion n’attend l’ouverture d’un compte." in html
    user = User.objects.get(email="dominique@example.org")
    assert (user.role, user.ddi) == (Role.AGENT, ddi)
    # The entry is closed: opening it again is a 404.
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_pilot_opens_the_account_as_a_member_of_a_structure(client, pilot):
    structure = StructureFactory(name="AIFE")
    pending = pending_sign_in_record(claims=claims())
    client.force_login(pilot)
    client.post(
        reverse("accounts:open_account", args=[pending.pk]),
        {"first_name": "D", "last_name": "N", "role": Role.MEMBER, "structure": structure.pk},
    )
    member = TeamMember.objects.select_related("user").get(user__email="dominique@example.org")
    assert (member.user.role, member.structure, member.user.ddi) == (Role.MEMBER, structure, None)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "message"),
    [(Role.AGENT, "Choisissez la DDI de l’agent."), (Role.MEMBER, "Choisissez la structure")],
)
def test_an_agent_needs_a_ddi_and_a_member_a_structure(client, pilot, role, message):
    pending = pending_sign_in_record(claims=claims())
    client.force_login(pilot)
    response = client.post(
        reverse("accounts:open_account", args=[pending.pk]),
        {"first_name": "D", "last_name": "N", "role": role},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not User.objects.filter(email="dominique@example.org").exists()
    assert PendingSignIn.objects.get().status == PendingSignInStatus.PENDING


@pytest.mark.django_db
def test_a_member_cannot_open_accounts(client, member):
    pending = pending_sign_in_record(claims=claims())
    client.force_login(member)
    assert client.get(reverse("accounts:pending_list")).status_code == 403
    response = client.post(
        reverse("accounts:open_account", args=[pending.pk]),
        {"first_name": "D", "last_name": "N", "role": Role.MEMBER},
    )
    assert response.status_code == 403
