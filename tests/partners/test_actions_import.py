"""Importing a partner's CSV file of support actions: the example file, both separators,
with or without a BOM, errors naming their line and nothing written, a preview then the
import, and a second import updating the same actions."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accompagnement.axes.models import Axis
from accompagnement.partners import action_csv
from accompagnement.partners.action_csv import ActionFileError, read_action_file
from accompagnement.partners.enums import PartnerKind, SupportActionKind, SupportActionStatus
from accompagnement.partners.models import SupportAction
from accompagnement.partners.services.actions import support_actions_import
from tests.ddi.factories import DepartmentFactory, ProgrammeFactory, RegionFactory
from tests.partners.factories import PartnerFactory, SupportActionFactory

pytestmark = pytest.mark.django_db

HEADER = (
    "porteur;identifiant;intitule;nature;axe;types_ddi;regions;departements;programmes;"
    "debut;fin;etat;description"
)


def body(response) -> str:
    return response.content.decode()


@pytest.fixture
def reference():
    region = RegionFactory(code="93", name="Provence-Alpes-Côte d'Azur")
    return {
        "maaprat": PartnerFactory(code="equipe-chorus-maaprat", name="Équipe Chorus du MAAPRAT"),
        "aife": PartnerFactory(code="aife", name="AIFE", kind=PartnerKind.AIFE),
        "csp": PartnerFactory(code="cpcm-bretagne", name="CPCM Bretagne", kind=PartnerKind.CSP),
        "region": region,
        "d01": DepartmentFactory(code="01", name="Ain"),
        "d93": DepartmentFactory(code="93", name="Seine-Saint-Denis"),
        "p206": ProgrammeFactory(code="206"),
        "p215": ProgrammeFactory(code="215"),
    }


def _file(text: str, *, bom=False, name="actions.csv") -> SimpleUploadedFile:
    data = text.encode("utf-8")
    return SimpleUploadedFile(name, (b"\xef\xbb\xbf" if bom else b"") + data, "text/csv")


def _lines(*rows: str, header: str = HEADER) -> str:
    return "\r\n".join([header, *rows]) + "\r\n"


GOOD = _lines(
    "equipe-chorus-maaprat;F-1;Formation INF-BUD;formation;outil;DDCS DDPP;93;;206;"
    "2011-11-15;2011-11-16;prévue;Sur poste",
    "aife;N-2;Note sur les charges à payer;Note ou guide;fin_de_gestion;;;1|93;P215;"
    "05/12/2011;;Réalisée;",
)


# ---------------------------------------------------------------------------- reading


def test_a_good_file_is_read_with_codes_labels_and_shortcuts(reference):
    rows = read_action_file(GOOD.encode())
    first, second = rows
    assert (first.line, first.owner_id, first.external_id) == (2, reference["maaprat"].pk, "F-1")
    assert (first.kind, first.axis, first.status) == (
        SupportActionKind.TRAINING,
        Axis.TOOL,
        SupportActionStatus.PLANNED,
    )
    assert first.ddi_kinds == ("DDCS", "DDPP")
    assert first.regions == (reference["region"],)
    assert (first.starts_on, first.ends_on) == (date(2011, 11, 15), date(2011, 11, 16))
    assert first.audience == "DDCS, DDPP · Provence-Alpes-Côte d'Azur · programme 206"
    # A label, a spreadsheet's "1" for "01", "P215", a French date, "Réalisée".
    assert (second.kind, second.axis, second.status) == (
        SupportActionKind.NOTE,
        Axis.YEAR_END,
        SupportActionStatus.DONE,
    )
    assert second.departments == (reference["d01"], reference["d93"])
    assert second.programmes == (reference["p215"],)
    assert (second.starts_on, second.ends_on) == (date(2011, 12, 5), None)


@pytest.mark.parametrize("bom", [False, True])
def test_commas_and_a_bom_are_read_too(reference, bom):
    text = _lines(
        'aife,N-3,"Webinaire, fin de gestion",reunion,year_end,"DDCS,DDPP",,,,2011-12-01,,,',
        header=HEADER.replace(";", ","),
    )
    data = ("\ufeff" if bom else "") + text
    (row,) = read_action_file(data.encode())
    assert (row.title, row.kind, row.ddi_kinds) == (
        "Webinaire, fin de gestion",
        SupportActionKind.MEETING,
        ("DDCS", "DDPP"),
    )


def test_the_optional_columns_may_be_left_out(reference):
    (row,) = read_action_file(
        "Porteur;Identifiant;Intitulé;Nature;Axe;Début\naife;A-1;Visite;visite;pratiques;2012-01-10\n"
    )
    assert (row.title, row.status, row.ddi_kinds, row.regions) == (
        "Visite",
        SupportActionStatus.PLANNED,
        (),
        (),
    )


def test_every_error_names_its_line_and_nothing_is_kept(reference):
    text = _lines(
        "equipe-chorus-maaprat;F-1;Formation;formation;outil;;;;;2011-11-15;;;",
        "inconnu;F-2;Formation;formation;outil;;;;;2011-11-15;;;",
        "cpcm-bretagne;F-3;Formation;formation;outil;;;;;2011-11-15;;;",
        "aife;F-4;Formation;formation;outil;;;;;2011-11-31;;;",
        "aife;F-5;Formation;formation;outil;;;;;2011-11-15;2011-11-01;;",
        "aife;F-6;Formation;cours;axe9;;;;;2011-11-15;;;",
        "aife;F-7;Formation;formation;outil;DDX;;;;2011-11-15;;;",
        "aife;F-8;Formation;formation;outil;;99;;;2011-11-15;;;",
        "aife;F-9;;formation;outil;;;;;2011-11-15;;;",
        "aife;F-1;Doublon permis (autre porteur);formation;outil;;;;;2011-11-15;;;",
        "aife;F-4;Doublon;formation;outil;;;;;2011-11-15;;;",
        "aife;F-10;Trop court",
    )
    with pytest.raises(ActionFileError) as caught:
        read_action_file(text)
    errors = caught.value.errors
    assert errors[0].startswith("Ligne 3 : porteur inconnu « inconnu »")
    assert errors[1].startswith("Ligne 4 : porteur inconnu « cpcm-bretagne »")
    assert errors[2].startswith("Ligne 5 : date invalide dans « debut » : « 2011-11-31 »")
    assert errors[3] == "Ligne 6 : la fin (2011-11-01) précède le début"
    assert errors[4].startswith("Ligne 7 : nature inconnue « cours »")
    assert errors[5].startswith("Ligne 8 : type de DDI inconnu « DDX »")
    assert errors[6] == "Ligne 9 : code inconnu dans « regions » : « 99 »"
    assert errors[7] == "Ligne 10 : la colonne « intitule » est vide"
    # Line 11 is fine (same identifier, another owner); line 12 repeats line 5's key
    # only if line 5 was read: it was refused, so line 12 is the first "F-4".
    assert errors[8] == "Ligne 13 : 3 colonnes au lieu de 13"
    assert len(errors) == 9


def test_an_identifier_twice_for_one_owner_is_refused(reference):
    text = _lines(
        "aife;N-1;Note;note;outil;;;;;2011-11-15;;;",
        "aife;N-1;Autre note;note;outil;;;;;2011-11-16;;;",
    )
    with pytest.raises(ActionFileError) as caught:
        read_action_file(text)
    assert caught.value.errors == [
        "Ligne 3 : identifiant « N-1 » déjà utilisé ligne 2 pour ce porteur"
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Ligne 1 : fichier vide, ligne d’en-tête attendue."),
        (HEADER + "\n", "Le fichier ne contient aucune action sous son en-tête."),
        ("porteur;identifiant\n", "Ligne 1 : colonne « intitule » manquante."),
        (HEADER + ";couleur\n", "Ligne 1 : colonne inconnue « couleur »"),
    ],
)
def test_a_file_without_actions_or_columns_is_refused(reference, text, message):
    with pytest.raises(ActionFileError) as caught:
        read_action_file(text)
    assert caught.value.errors[0].startswith(message)


def test_a_file_not_in_utf8_is_refused_in_french(reference):
    with pytest.raises(ActionFileError) as caught:
        read_action_file(GOOD.encode("cp1252"))
    assert "n’est pas encodé en UTF-8" in caught.value.errors[0]


# ---------------------------------------------------------------------------- writing


def test_importing_again_updates_the_same_actions(reference, member):
    report = support_actions_import(user=member, rows=read_action_file(GOOD))
    assert (report.created, report.updated) == (2, 0)
    first = SupportAction.objects.get(external_id="F-1")
    assert first.created_by == member
    assert list(first.programmes.all()) == [reference["p206"]]

    changed = GOOD.replace("Formation INF-BUD", "Formation INF-BUD (reportée)").replace(
        ";206;", ";215;"
    )
    rows = read_action_file(changed)
    assert [row.updates for row in rows] == [True, True]
    report = support_actions_import(user=member, rows=rows)

    assert (report.created, report.updated) == (0, 2)
    assert SupportAction.objects.count() == 2
    first.refresh_from_db()
    assert first.title == "Formation INF-BUD (reportée)"
    assert list(first.programmes.all()) == [reference["p215"]]
    assert list(first.regions.all()) == [reference["region"]]


def test_an_action_recorded_by_hand_is_left_alone(reference, member):
    SupportActionFactory(owner=reference["aife"], title="Saisie à la main")
    support_actions_import(user=member, rows=read_action_file(GOOD))
    assert SupportAction.objects.filter(title="Saisie à la main").exists()
    assert SupportAction.objects.count() == 3


# ---------------------------------------------------------------------------- the page


def test_the_page_documents_the_format_and_offers_an_example(client, member, reference):
    client.force_login(member)
    page = body(client.get(reverse("partners:action_import")))
    assert "Format du fichier" in page and "<code>departements</code>" in page
    example = client.get(reverse("partners:action_import"), {"exemple": "1"})
    assert example["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in example["Content-Disposition"]
    text = example.content.decode("utf-8")
    assert text.startswith("\ufeffporteur;identifiant;intitule")
    # The example is a file the page accepts as it is.
    rows = read_action_file(example.content)
    assert len(rows) == 3


def test_upload_shows_a_preview_then_confirming_imports(client, member, reference):
    SupportActionFactory(owner=reference["aife"], external_id="N-2", title="Ancienne note")
    client.force_login(member)
    preview = client.post(reverse("partners:action_import"), {"fichier": _file(GOOD, bom=True)})
    html = body(preview)
    assert preview.status_code == 200
    assert "Le fichier est correct : 2 actions (nouvelles : 1 ; à mettre à jour : 1)." in html
    assert "Formation INF-BUD" in html and "mise à jour" in html
    assert SupportAction.objects.count() == 1  # nothing written before confirming

    confirmed = client.post(
        reverse("partners:action_import"),
        {"contenu": preview.context["confirm"].initial["contenu"]},
    )
    assert confirmed.status_code == 302
    assert SupportAction.objects.count() == 2
    assert SupportAction.objects.get(external_id="N-2").title == "Note sur les charges à payer"
    page = body(client.get(confirmed.url))
    assert "Import terminé — actions créées : 1 ; mises à jour : 1." in page


def test_a_bad_file_is_shown_with_its_errors_and_nothing_is_written(client, member, reference):
    bad = GOOD.replace("2011-11-15", "15-11-2011")
    client.force_login(member)
    response = client.post(reverse("partners:action_import"), {"fichier": _file(bad)})
    html = body(response)
    assert response.status_code == 200
    assert "Le fichier n’a pas été importé" in html
    assert "Ligne 2 : date invalide dans « debut » : « 15-11-2011 »" in html
    assert not SupportAction.objects.exists()


def test_confirmed_content_is_checked_again(client, member, reference):
    client.force_login(member)
    response = client.post(
        reverse("partners:action_import"), {"contenu": GOOD.replace("aife;", "inconnu;")}
    )
    assert response.status_code == 200
    assert "Ligne 3 : porteur inconnu « inconnu »" in body(response)
    assert not SupportAction.objects.exists()


def test_an_empty_post_shows_the_form_with_its_error(client, member):
    client.force_login(member)
    response = client.post(reverse("partners:action_import"), {})
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in body(response)


def test_a_file_too_large_is_refused(client, member, reference, monkeypatch):
    monkeypatch.setattr(action_csv, "MAX_FILE_BYTES", 10)
    monkeypatch.setattr("accompagnement.partners.forms.actions.MAX_FILE_BYTES", 10)
    client.force_login(member)
    response = client.post(reverse("partners:action_import"), {"fichier": _file(GOOD)})
    assert "Le fichier dépasse 1 Mo" in body(response)
