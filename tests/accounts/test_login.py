import re

import pytest
from django.core import mail
from django.urls import reverse

from accompagnement.outbox.models import Notification
from accompagnement.outbox.sending import notification_send
from tests.accounts.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


def test_login_page_is_french_dsfr_form(client):
    response = client.get(reverse("login"))
    html = response.content.decode()
    assert "Connexion à Accompagnement Chorus" in html
    assert 'class="fr-input-group' in html
    assert 'for="id_username"' in html
    assert "Adresse électronique" in html
    assert 'class="fr-btn' in html
    assert "Premier<br>ministre" in html


def test_login_with_email_and_password_opens_home(client, agent):
    response = client.post(
        reverse("login"), {"username": agent.email.upper(), "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.get(reverse("home")).context["user"] == agent


def test_wrong_password_shows_french_error_and_keeps_email(client, agent):
    response = client.post(reverse("login"), {"username": agent.email, "password": "mauvais"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Adresse électronique ou mot de passe incorrect" in html
    assert f'value="{agent.email}"' in html


def test_login_is_locked_after_repeated_failures(client, agent, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": agent.email, "password": "mauvais"})
    # Even the right password is refused while the lock-out lasts.
    response = client.post(
        reverse("login"), {"username": agent.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 429
    assert "Connexion temporairement bloquée" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_account(client, agent, member):
    for _ in range(5):
        client.post(reverse("login"), {"username": agent.email, "password": "mauvais"})
    response = client.post(
        reverse("login"), {"username": member.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302


def test_logout_needs_post_and_ends_session(client, agent):
    client.force_login(agent)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert client.get(reverse("home")).status_code == 302


def test_password_reset_sends_french_link_that_works(client, agent):
    response = client.post(reverse("password_reset"), {"email": agent.email})
    assert response.status_code == 302
    # Through the outbox (tests/accounts/test_password_reset.py), sent by a worker.
    assert mail.outbox == []
    notification = Notification.objects.get(kind="password_reset", recipient=agent)
    assert notification_send(notification_id=notification.pk) == "sent"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [agent.email]
    assert "nouveau mot de passe" in message.subject
    link = re.search(r"https?://[^/]+(/mot-de-passe/nouveau/\S+)", message.body).group(1)
    form_page = client.get(link, follow=True)
    assert "Choisir un nouveau mot de passe" in form_page.content.decode()
    new_password = "une-phrase-de-passe-solide"
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.check_password(new_password)


def test_password_reset_for_unknown_address_says_the_same(client):
    response = client.post(reverse("password_reset"), {"email": "inconnu@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_short_password_is_refused_in_french(client, agent):
    client.force_login(agent)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": "Court-1a",
            "new_password2": "Court-1a",
        },
    )
    assert response.status_code == 200
    assert "au minimum 12 caractères" in response.content.decode()
