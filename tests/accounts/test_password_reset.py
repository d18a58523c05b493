"""The forgotten password: the link goes through the outbox like every other e-mail, so
that the page answers the same, without talking to the mail server, whether the address
is known or not; the link is built from SITE_URL, works once, and only for an active
account with a password."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accompagnement.outbox.models import Notification, NotificationStatus
from accompagnement.outbox.sending import notification_send
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "une-phrase-de-passe-solide"


def ask_for_a_link(client, email):
    return client.post(reverse("password_reset"), {"email": email})


def reset_notifications(user=None):
    rows = Notification.objects.filter(kind="password_reset")
    return rows.filter(recipient=user) if user is not None else rows


def sent_link(notification) -> str:
    assert notification_send(notification_id=notification.pk) == "sent"
    (message,) = mail.outbox
    return re.search(r"https?://\S+/mot-de-passe/nouveau/\S+/", message.body).group(0)


def test_known_and_unknown_addresses_get_the_same_answer_and_no_mail_in_the_request(client, agent):
    known = ask_for_a_link(client, agent.email)
    unknown = ask_for_a_link(client, "inconnu@example.org")

    for response in (known, unknown):
        assert response.status_code == 302
        assert response["Location"] == reverse("password_reset_done")
    assert known.content == unknown.content
    # Nothing is sent while the page answers: the e-mail waits in the outbox.
    assert mail.outbox == []
    (notification,) = reset_notifications()
    assert notification.recipient == agent
    assert notification.status == NotificationStatus.PENDING


def test_the_outbox_sends_the_french_link_built_from_site_url_and_it_works_once(
    client, agent, settings
):
    settings.SITE_URL = "https://accompagnement.example.org"
    # A forged Host header does not reach the link.
    client.post(reverse("password_reset"), {"email": agent.email}, HTTP_HOST="evil.example")
    link = sent_link(reset_notifications(agent).get())

    message = mail.outbox[0]
    assert message.to == [agent.email]
    assert message.subject == "Accompagnement Chorus : choisir un nouveau mot de passe"
    assert "Vous avez demandé à choisir un nouveau mot de passe" in message.body
    assert "ignorez ce courriel : votre mot de passe reste inchangé" in message.body
    assert link.startswith("https://accompagnement.example.org/mot-de-passe/nouveau/")
    assert link in message.alternatives[0][0]

    path = link.removeprefix(settings.SITE_URL)
    form_page = client.get(path, follow=True)
    assert "Choisir un nouveau mot de passe" in form_page.content.decode()
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.check_password(NEW_PASSWORD)
    # Used once: the same link is refused afterwards.
    again = client.get(path, follow=True).content.decode()
    assert "Lien invalide ou expiré" in again
    assert 'name="new_password1"' not in again


def test_the_link_still_works_when_the_person_signed_in_before_the_mail_left(client, agent):
    ask_for_a_link(client, agent.email)
    # The person remembers the password and signs in while the e-mail waits.
    client.force_login(agent)
    client.logout()
    link = sent_link(reset_notifications(agent).get())

    form_page = client.get(re.sub(r"^https?://[^/]+", "", link), follow=True)
    assert 'name="new_password1"' in form_page.content.decode()


def test_an_account_without_password_or_deactivated_gets_nothing(client):
    proconnect_only = UserFactory()
    proconnect_only.set_unusable_password()
    proconnect_only.save()
    inactive = UserFactory(is_active=False)

    for user in (proconnect_only, inactive):
        assert ask_for_a_link(client, user.email).status_code == 302
    assert not reset_notifications().exists()


def test_an_account_changed_before_the_sending_gets_no_link(client):
    lost_password, deactivated = UserFactory(), UserFactory()
    for user in (lost_password, deactivated):
        ask_for_a_link(client, user.email)
    lost_password.set_unusable_password()
    lost_password.save()
    deactivated.is_active = False
    deactivated.save()

    for user in (lost_password, deactivated):
        notification = reset_notifications(user).get()
        assert notification_send(notification_id=notification.pk) == "refused"
        notification.refresh_from_db()
        assert notification.status == NotificationStatus.FAILED
    assert mail.outbox == []
