"""The admin of the reference data: every page renders, no query per row."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ddi.models import (
    DDI,
    Department,
    Ministry,
    Programme,
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
