"""The admin of the reference data: every page renders, no query per row."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accompagnement.accounts.models import Role
from accompagnement.accounts.services import user_upsert
from ddi.models import (
    DDI,
    Department,
    Ministry,
    Programme,
    ProgrammeException,
    ProgrammeUse,
    Region,
    ServiceCentre,
    ServiceCentreAttachment,
    Structure,
)

pytestmark = pytest.mark.django_db

MODELS = [
    Region,
    Department,
    Ministry,
    Programme,
    ProgrammeUse,
    ServiceCentre,
    DDI,
    ServiceCentreAttachment,
    ProgrammeException,
    Structure,
]


@pytest.fixture
def admin_client(client, reference_data):
    user = get_user_model().objects.create_superuser(
        email="admin@example.org", password="x" * 12, first_name="A", last_name="B"
    )
    client.force_login(user)
    return client


def _changelist_url(model) -> str:
    return reverse(f"admin:ddi_{model._meta.model_name}_changelist")


def _count_queries(client, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), len(response.context["cl"].result_list)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.model_name)
def test_changelist_query_count_does_not_grow_with_rows(admin_client, monkeypatch, model):
    model_admin = admin.site._registry[model]
    monkeypatch.setattr(model_admin, "list_per_page", 3)
    few_queries, few_rows = _count_queries(admin_client, _changelist_url(model))
    monkeypatch.setattr(model_admin, "list_per_page", 100)
    many_queries, many_rows = _count_queries(admin_client, _changelist_url(model))

    assert (few_rows, many_rows) == (3, min(100, model.objects.count()))
    assert many_queries == few_queries
    assert many_queries <= 15


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.model_name)
def test_changelist_filtered_and_searched(admin_client, model):
    response = admin_client.get(_changelist_url(model), {"confidence": "inferred", "q": "1"})

    assert response.status_code == 200


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.model_name)
def test_change_and_add_pages_render(admin_client, model):
    obj = model.objects.order_by("pk").first()
    name = model._meta.model_name

    assert admin_client.get(reverse(f"admin:ddi_{name}_change", args=[obj.pk])).status_code == 200
    assert admin_client.get(reverse(f"admin:ddi_{name}_add")).status_code == 200


def test_ddi_page_shows_its_attachments(admin_client):
    ddi = DDI.objects.get(kind="DDPP", department__code="13")

    response = admin_client.get(reverse("admin:ddi_ddi_change", args=[ddi.pk]))

    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.queryset.count() == 5
    assert "CPCM Provence-Alpes-Côte d&#x27;Azur" in response.text


def test_ddi_autocomplete_finds_a_ddi_by_acronym(admin_client):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "ddi",
            "model_name": "servicecentreattachment",
            "field_name": "ddi",
            "term": "DDPP 13",
        },
    )

    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == [
        "DDPP des Bouches-du-Rhône (DDPP 13)"
    ]


@pytest.mark.parametrize(
    ("field_model", "field_name", "term", "expected"),
    [
        (Department, "region", "Corse", "Corse"),
        (Programme, "ministry", "MAAPRAT", "MAAPRAT"),
        (ServiceCentre, "programmes", "215", "P215 — Conduite et pilotage des politiques de l"),
        (ServiceCentreAttachment, "service_centre", "CPCM Corse", "CPCM Corse"),
        (DDI, "department", "2A", "Corse-du-Sud (2A)"),
        (ServiceCentre, "joint_ministries", "MAAPRAT", "MAAPRAT"),
        (ProgrammeException, "department", "93", "Seine-Saint-Denis (93)"),
        (Structure, "ministry", "MEDDTL", "MEDDTL"),
    ],
)
def test_autocompletes(admin_client, field_model, field_name, term, expected):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "ddi",
            "model_name": field_model._meta.model_name,
            "field_name": field_name,
            "term": term,
        },
    )

    assert response.status_code == 200
    assert response.json()["results"][0]["text"].startswith(expected)


def _change_page_queries(client, ddi) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:ddi_ddi_change", args=[ddi.pk]))
    assert response.status_code == 200
    return len(queries)


def test_ddi_page_query_count_does_not_grow_with_attachments(admin_client):
    few = DDI.objects.get(kind="DDPP", department__code="13")  # 5 programmes
    many = DDI.objects.get(kind="DDCSPP", department__code="03")  # 15 programmes

    assert _change_page_queries(admin_client, few) == _change_page_queries(admin_client, many)


def test_an_attachment_is_changed_from_the_ddi_page(admin_client):
    ddi = DDI.objects.get(kind="DDPP", department__code="13")
    attachments = list(ddi.attachments.order_by("programme__code"))
    corsica = ServiceCentre.objects.get(code="cpcm-corse")
    data = {
        "kind": ddi.kind,
        "department": ddi.department_id,
        "name": ddi.name,
        "email": "",
        "source": ddi.source,
        "confidence": ddi.confidence,
        "attachments-TOTAL_FORMS": len(attachments),
        "attachments-INITIAL_FORMS": len(attachments),
        "attachments-MIN_NUM_FORMS": 0,
        "attachments-MAX_NUM_FORMS": 1000,
    }
    for index, attachment in enumerate(attachments):
        prefix = f"attachments-{index}-"
        data |= {
            f"{prefix}id": attachment.pk,
            f"{prefix}ddi": ddi.pk,
            f"{prefix}programme": attachment.programme_id,
            f"{prefix}service_centre": attachment.service_centre_id,
            f"{prefix}confidence": attachment.confidence,
            f"{prefix}source": attachment.source,
        }
    data |= {"attachments-0-service_centre": corsica.pk, "attachments-0-confidence": "high"}

    response = admin_client.post(reverse("admin:ddi_ddi_change", args=[ddi.pk]), data)

    assert response.status_code == 302, response.context["errors"]
    attachments[0].refresh_from_db()
    assert (attachments[0].service_centre, attachments[0].confidence) == (corsica, "high")


def test_the_ddi_list_filtered_on_confidence_shows_the_badge(admin_client):
    response = admin_client.get(_changelist_url(DDI), {"confidence__exact": "low"})

    rows = response.context["cl"].result_list
    assert sorted(ddi.acronym for ddi in rows) == ["DDCSPP 25", "DDCSPP 51"]
    assert (
        '<span class="ddi-confidence ddi-confidence--low">Typique, à confirmer</span>'
        in response.text
    )
    assert "ddi/admin.css" in response.text


@pytest.mark.parametrize(
    ("model", "label"),
    [
        (DDI, "Probable"),
        (ServiceCentre, "Déduit, à confirmer"),
        (ServiceCentreAttachment, "Déduit, à confirmer"),
        (Programme, "Sourcé"),
        (ProgrammeException, "Sourcé"),
    ],
    ids=lambda value: getattr(value, "__name__", value),
)
def test_confidence_is_shown_and_filterable(admin_client, model, label):
    response = admin_client.get(_changelist_url(model))

    assert f">{label}</span>" in response.text
    assert "confidence" in [spec.field_path for spec in response.context["cl"].filter_specs]


def test_the_finance_centres_show_that_they_have_no_source(admin_client):
    response = admin_client.get(_changelist_url(ServiceCentre), {"q": "Économie et finances"})

    assert len(response.context["cl"].result_list) == 22
    assert ">aucune source : ni l&#x27;existence" in response.text


def test_a_cpcm_shows_its_associated_ministry(admin_client):
    response = admin_client.get(_changelist_url(ServiceCentre), {"q": "CPCM Bretagne"})

    [centre] = response.context["cl"].result_list
    assert response.context["cl"].model_admin.joint_ministry_codes(centre) == "MAAPRAT"


def test_the_pilot_edits_programme_exceptions_in_the_admin(client, reference_data):
    pilot, _ = user_upsert(
        email="pilote.admin@example.org", first_name="P", last_name="Admin", role=Role.PILOT
    )
    client.force_login(pilot)
    exception = ProgrammeException.objects.get(department__code="93")

    assert client.get(_changelist_url(ProgrammeException)).status_code == 200
    change = reverse("admin:ddi_programmeexception_change", args=[exception.pk])
    assert client.get(change).status_code == 200
    assert not pilot.has_perm("ddi.delete_programmeexception")
