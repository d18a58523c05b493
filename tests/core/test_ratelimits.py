"""Rate limits: each one reached answers in French and writes nothing."""

import pytest
from django.urls import reverse

from accompagnement.outbox.models import Notification
from accompagnement.support import uploads
from accompagnement.support.forms import requests as request_forms
from accompagnement.support.models import Attachment, Message, SupportRequest
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.support.factories import SupportRequestFactory
from tests.support.test_uploads import EXE_BYTES
from tests.support.test_views_requests import filing, html_of, pdf

pytestmark = pytest.mark.django_db

TOO_MANY = "Trop de tentatives en peu de temps. Par sécurité, réessayez dans"


def reset_emails() -> int:
    """Password reset e-mails recorded in the outbox (sent later by a worker)."""
    return Notification.objects.filter(kind="password_reset").count()


def test_login_per_address_limit_answers_429_in_french(client, agent, settings):
    settings.RATELIMIT_LOGIN = "3/m"
    for _attempt in range(3):
        response = client.post(reverse("login"), {"username": "x@example.org", "password": "x"})
        assert response.status_code == 200
    response = client.post(
        reverse("login"), {"username": agent.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 429
    assert TOO_MANY in html_of(response)
    assert "minute" in html_of(response)
    # The right password did not open a session while limited.
    assert "_auth_user_id" not in client.session
    # Another address is not held back by this one.
    response = client.post(
        reverse("login"),
        {"username": agent.email, "password": DEFAULT_PASSWORD},
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 302


def test_login_page_itself_is_never_limited(client, settings):
    settings.RATELIMIT_LOGIN = "1/m"
    for _attempt in range(3):
        assert client.get(reverse("login")).status_code == 200


def test_password_reset_is_limited_per_email_across_addresses(client, agent, settings):
    settings.RATELIMIT_PASSWORD_RESET = "2/h"
    for number in range(2):
        response = client.post(
            reverse("password_reset"), {"email": agent.email}, REMOTE_ADDR=f"10.0.0.{number}"
        )
        assert response.status_code == 302
    assert reset_emails() == 2
    response = client.post(
        reverse("password_reset"), {"email": agent.email.upper()}, REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code == 429
    assert TOO_MANY in html_of(response)
    assert reset_emails() == 2


def test_password_reset_is_limited_per_ip_address(client, settings):
    settings.RATELIMIT_PASSWORD_RESET = "2/h"
    users = UserFactory.create_batch(3)
    for user in users[:2]:
        assert client.post(reverse("password_reset"), {"email": user.email}).status_code == 302
    response = client.post(reverse("password_reset"), {"email": users[2].email})
    assert response.status_code == 429
    assert reset_emails() == 2


def test_filing_limit_keeps_the_typed_request_and_saves_nothing(client, agent, settings):
    settings.RATELIMIT_REQUEST_CREATE = "2/h"
    client.force_login(agent)
    for _attempt in range(2):
        assert client.post(reverse("support:create"), filing()).status_code == 302
    response = client.post(
        reverse("support:create"), filing(title="Ma troisième demande", body="Texte tapé")
    )
    assert response.status_code == 429
    page = html_of(response)
    assert TOO_MANY in page
    assert 'value="Ma troisième demande"' in page
    assert "Texte tapé" in page
    assert SupportRequest.objects.count() == 2


def test_filing_limit_is_per_agent(client, agent, settings):
    settings.RATELIMIT_REQUEST_CREATE = "1/h"
    client.force_login(agent)
    assert client.post(reverse("support:create"), filing()).status_code == 302
    colleague = UserFactory(ddi=agent.ddi)
    client.force_login(colleague)
    assert client.post(reverse("support:create"), filing()).status_code == 302
    assert SupportRequest.objects.count() == 2


def test_uploads_are_counted_by_file(client, agent, settings):
    settings.RATELIMIT_UPLOADS = "3/h"
    client.force_login(agent)
    response = client.post(
        reverse("support:create"), filing(attachments=[pdf("a.pdf"), pdf("b.pdf")])
    )
    assert response.status_code == 302
    # Two more files would make four: refused, the request is not filed.
    response = client.post(
        reverse("support:create"),
        filing(title="Avec deux fichiers", attachments=[pdf("c.pdf"), pdf("d.pdf")]),
    )
    assert response.status_code == 429
    assert TOO_MANY in html_of(response)
    assert SupportRequest.objects.count() == 1
    assert Attachment.objects.count() == 2
    # One more file still fits.
    response = client.post(reverse("support:create"), filing(attachments=[pdf("e.pdf")]))
    assert response.status_code == 302
    assert Attachment.objects.count() == 3


def test_refused_files_count_and_over_the_limit_no_file_is_read(
    client, agent, settings, monkeypatch
):
    """Checking a file's content costs (a zip bomb): every file sent counts, even refused,
    and once the limit is reached the next files are refused before being read."""
    settings.RATELIMIT_UPLOADS = "2/h"
    client.force_login(agent)
    for attempt in range(2):
        response = client.post(
            reverse("support:create"), filing(attachments=[pdf(f"faux-{attempt}.pdf", EXE_BYTES)])
        )
        assert response.status_code == 200
        assert "ne correspond pas à un fichier PDF" in html_of(response)
    read = []
    monkeypatch.setattr(
        request_forms, "validate_upload", lambda file: read.append(file.name) or uploads.PDF
    )
    response = client.post(
        reverse("support:create"),
        filing(title="Troisième essai", attachments=[pdf("faux-3.pdf", EXE_BYTES)]),
    )
    assert response.status_code == 429
    page = html_of(response)
    assert TOO_MANY in page
    assert 'value="Troisième essai"' in page
    assert read == []
    assert not SupportRequest.objects.exists()
    assert not Attachment.objects.exists()
    # A filing without files is not an upload: it goes through.
    monkeypatch.undo()
    assert client.post(reverse("support:create"), filing()).status_code == 302


def test_reply_with_files_over_the_limit_keeps_the_text_and_sends_nothing(client, agent, settings):
    settings.RATELIMIT_UPLOADS = "1/h"
    support_request = SupportRequestFactory(requester=agent, ddi=agent.ddi)
    client.force_login(agent)
    url = reverse("support:reply", kwargs={"reference": support_request.reference})
    data = {"body": "Voici les deux pièces", "version": support_request.version}
    response = client.post(url, {**data, "attachments": [pdf("a.pdf"), pdf("b.pdf")]})
    assert response.status_code == 429
    page = html_of(response)
    assert TOO_MANY in page
    assert "Voici les deux pièces" in page
    assert not Message.objects.filter(request=support_request).exists()
    assert not Attachment.objects.exists()
    # A reply without files is not an upload: it goes through.
    assert client.post(url, data).status_code == 302


def test_unreachable_cache_lets_the_filing_through(client, agent, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    client.force_login(agent)
    assert client.post(reverse("support:create"), filing()).status_code == 302
    assert SupportRequest.objects.count() == 1
