"""Oversized requests are refused (413, in French) before anything reads their body."""

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, encode_multipart
from django.urls import reverse

from accompagnement.support.models import Attachment, SupportRequest
from accompagnement.support.uploads import MAX_UPLOAD_FILES, MAX_UPLOAD_SIZE
from tests.support.test_uploads import PDF_BYTES
from tests.support.test_views_requests import filing, html_of, pdf

pytestmark = pytest.mark.django_db

TOO_LARGE = "Envoi trop volumineux"


def stored_files(settings) -> list[Path]:
    return [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]


def test_body_over_the_cap_is_refused_in_french_and_nothing_is_stored(client, agent, settings):
    settings.REQUEST_BODY_MAX_SIZE = 64 * 1024
    client.force_login(agent)
    big = pdf("gros.pdf", PDF_BYTES + b"%" * (100 * 1024))  # a valid PDF of 100 Kio
    response = client.post(reverse("support:create"), filing(attachments=[big]))
    assert response.status_code == 413
    page = html_of(response)
    assert f"<h1>{TOO_LARGE}</h1>" in page
    assert "Rien n’a été enregistré" in page
    assert "dépasse 64,0\xa0Kio" in page
    assert "10 fichiers de 10 Mo au plus chacun" in page
    assert "Content-Security-Policy" in response
    assert not SupportRequest.objects.exists()
    assert not Attachment.objects.exists()
    assert stored_files(settings) == []


def test_declared_length_over_the_cap_is_refused_without_reading_the_body(client, agent):
    """200 Mo announced, a few bytes sent: the test client's input fails any read past
    what it holds, so a 413 here means nothing read the body."""
    client.force_login(agent)
    response = client.post(
        reverse("support:create"), filing(), CONTENT_LENGTH=str(200 * 1024 * 1024)
    )
    assert response.status_code == 413
    assert TOO_LARGE in html_of(response)
    assert not SupportRequest.objects.exists()


def test_a_filing_with_a_file_still_goes_through(client, agent, settings):
    client.force_login(agent)
    response = client.post(reverse("support:create"), filing(attachments=[pdf("devis.pdf")]))
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == "devis.pdf"
    assert len(stored_files(settings)) == 1


def test_the_largest_filing_the_form_accepts_fits_under_the_cap():
    """Ten files of 10 Mo and the text fields at their limit: the multipart body, measured
    with one-byte files, plus what the files and the text really weigh."""
    files = [SimpleUploadedFile(f"piece-{n:02d}.pdf", b"x") for n in range(MAX_UPLOAD_FILES)]
    envelope = len(encode_multipart(BOUNDARY, filing(attachments=files)))
    largest = (
        envelope
        - MAX_UPLOAD_FILES
        + MAX_UPLOAD_FILES * MAX_UPLOAD_SIZE
        + django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    )
    assert largest <= django_settings.REQUEST_BODY_MAX_SIZE
    # And not much more: the cap is about the largest filing, not a round guess.
    assert django_settings.REQUEST_BODY_MAX_SIZE - largest < 2 * 1024 * 1024


@pytest.mark.parametrize(
    ("count", "status", "message"),
    [
        # A few too many: the form names the limit.
        (MAX_UPLOAD_FILES + 1, 200, "Joignez au plus 10 fichiers (vous en avez sélectionné 11)."),
        # Far too many: Django's parser stops at DATA_UPLOAD_MAX_NUMBER_FILES.
        (21, 400, "le contenu est trop volumineux ou mal formé"),
    ],
)
def test_too_many_files_are_refused_in_french(client, agent, count, status, message):
    client.force_login(agent)
    files = [pdf(f"piece-{n:02d}.pdf") for n in range(count)]
    response = client.post(reverse("support:create"), filing(attachments=files))
    assert response.status_code == status
    assert message in html_of(response)
    assert not SupportRequest.objects.exists()
    assert not Attachment.objects.exists()
