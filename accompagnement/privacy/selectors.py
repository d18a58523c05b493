"""Reads about personal data: what is due for anonymisation, and one person's data.

The export for the right of access (RGPD, article 15), a ZIP archive, holds the person's
account and what they did or wrote: requests filed and followed, messages and notes
written, files uploaded (the files themselves too), acknowledgements, registrations and
feedback, sign-in records. It holds nothing written by other people, even about them
(the team's notes on their requests are the team's words, given on demand after review,
not by this export).
"""

import json
import shutil
import tempfile
import zipfile
from datetime import timedelta
from typing import IO

from django.conf import settings
from django.utils import timezone
from django.utils.text import get_valid_filename

from accompagnement.accounts.models import PendingSignIn, User
from accompagnement.campaigns.models import Acknowledgement
from accompagnement.interventions.models import Registration
from accompagnement.support.enums import Status
from accompagnement.support.models import Attachment, Message, SupportRequest

# The folder of the export's archive that holds the person's files.
ARCHIVE_FILES_FOLDER = "pieces-jointes"

# Placeholder accounts that stand for "an agent of this DDI" after anonymisation.
ANONYMOUS_EMAIL_DOMAIN = "anonymise.invalid"


def requests_due_for_anonymisation(*, now=None):
    """Closed requests past the retention delay that still hold personal data."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS)
    return SupportRequest.objects.filter(
        status=Status.CLOSED, closed_at__lt=cutoff, anonymised_at__isnull=True
    ).order_by("closed_at", "pk")


def person_by_email(email: str) -> User | None:
    return User.objects.filter(email__iexact=email.strip()).select_related("ddi").first()


def archived_file_name(attachment: Attachment) -> str:
    """Where the export's archive holds the file: one folder per request, the file's id
    first (two files may share a name)."""
    name = get_valid_filename(attachment.original_name) or "fichier"
    return f"{ARCHIVE_FILES_FOLDER}/{attachment.request.reference}/{attachment.pk}-{name}"


def personal_data_archive(person: User, data: dict) -> tuple[str, IO[bytes]]:
    """The export as a ZIP archive: `donnees.json`, then every file the person uploaded
    (read from storage one at a time, written to a temporary file, not kept in memory).
    A file missing from storage is named in `fichiers-manquants.txt` instead."""
    # Closed by the response once sent (FileResponse), hence no `with` here.
    archive = tempfile.TemporaryFile()  # noqa: SIM115
    missing = []
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        payload = {"exporte_le": timezone.now().isoformat(), "personne": person.email, **data}
        zipped.writestr("donnees.json", json.dumps(payload, ensure_ascii=False, indent=2))
        files = Attachment.objects.filter(uploaded_by=person).select_related("request")
        for attachment in files.order_by("created_at", "pk"):
            name = archived_file_name(attachment)
            try:
                with attachment.file.open("rb") as stored, zipped.open(name, "w") as copy:
                    shutil.copyfileobj(stored, copy)
            except (FileNotFoundError, ValueError):
                missing.append(name)
        if missing:
            zipped.writestr("fichiers-manquants.txt", "\n".join(missing) + "\n")
    archive.seek(0)
    stamp = timezone.localdate().isoformat()
    return f"donnees-personnelles-{person.pk}-{stamp}.zip", archive


def _when(value):
    return value.isoformat() if value else None


def personal_data_of(person: User) -> dict:
    """Everything the export gives about `person`, as JSON-ready data."""
    filed = SupportRequest.objects.filter(requester=person).select_related("category", "ddi")
    followed = (
        SupportRequest.objects.filter(followers=person)
        .exclude(requester=person)
        .only("reference", "title")
    )
    messages = (
        Message.objects.filter(author=person).select_related("request").order_by("created_at", "pk")
    )
    files = Attachment.objects.filter(uploaded_by=person).select_related("request")
    acknowledgements = Acknowledgement.objects.filter(acknowledged_by=person).select_related(
        "milestone"
    )
    registrations = Registration.objects.filter(person=person).select_related(
        "intervention", "feedback"
    )
    signins = PendingSignIn.objects.filter(email__iexact=person.email)
    return {
        "compte": {
            "adresse_electronique": person.email,
            "prenom": person.first_name,
            "nom": person.last_name,
            "role": person.get_role_display(),
            "ddi": str(person.ddi) if person.ddi_id else None,
            "telephone": person.phone,
            "actif": person.is_active,
            "inscrit_le": _when(person.date_joined),
            "derniere_connexion": _when(person.last_login),
        },
        "demandes_deposees": [
            {
                "reference": r.reference,
                "titre": r.title,
                "description": r.body,
                "categorie": r.category.name,
                "statut": r.get_status_display(),
                "deposee_le": _when(r.created_at),
                "cloturee_le": _when(r.closed_at),
            }
            for r in filed.order_by("created_at", "pk")
        ],
        "demandes_suivies": [
            {"reference": r.reference, "titre": r.title} for r in followed.order_by("pk")
        ],
        "messages_ecrits": [
            {
                "demande": m.request.reference,
                "nature": m.get_kind_display(),
                "texte": m.body,
                "ecrit_le": _when(m.created_at),
            }
            for m in messages
        ],
        "pieces_jointes_deposees": [
            {
                "demande": a.request.reference,
                "nom": a.original_name,
                "type": a.content_type,
                "taille_octets": a.size,
                "deposee_le": _when(a.created_at),
                "fichier": archived_file_name(a),
            }
            for a in files.order_by("created_at", "pk")
        ],
        "jalons_marques_faits": [
            {"jalon": str(a.milestone), "le": _when(a.acknowledged_at)}
            for a in acknowledgements.order_by("acknowledged_at", "pk")
        ],
        "inscriptions": [
            {
                "intervention": str(r.intervention),
                "inscrit_le": _when(r.created_at),
                "desinscrit_le": _when(r.cancelled_at),
                "present": r.attended,
                "avis": (
                    {"note": r.feedback.score, "commentaire": r.feedback.comment}
                    if hasattr(r, "feedback")
                    else None
                ),
            }
            for r in registrations.order_by("created_at", "pk")
        ],
        "tentatives_de_connexion_proconnect": [
            {
                "adresse_electronique": s.email,
                "prenom": s.given_name,
                "nom": s.usual_name,
                "service": s.organizational_unit,
                "premiere_tentative": _when(s.first_seen_at),
                "derniere_tentative": _when(s.last_seen_at),
                "tentatives": s.attempts,
                "statut": s.get_status_display(),
            }
            for s in signins.order_by("first_seen_at", "pk")
        ],
    }
