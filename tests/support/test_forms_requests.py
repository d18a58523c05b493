import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.datastructures import MultiValueDict

from accompagnement.axes.models import Axis, Category
from accompagnement.support.enums import ChorusObject, Priority, Status
from accompagnement.support.forms.replies import ReplyForm
from accompagnement.support.forms.requests import RequestFilterForm, SupportRequestForm
from accompagnement.support.services.requests import FileToStore
from tests.ddi.factories import AttachmentFactory
from tests.support.factories import CategoryFactory, SupportRequestFactory
from tests.support.test_uploads import EXE_BYTES, PDF_BYTES, png_bytes

pytestmark = pytest.mark.django_db


def category(axis=Axis.TOOL):
    return Category.objects.filter(axis=axis, is_active=True).first()


def request_data(**overrides):
    data = {
        "axis": Axis.TOOL,
        "category": category(Axis.TOOL).pk,
        "title": "Restitution INF-BUD-53 vide",
        "body": "Depuis lundi la restitution ne renvoie rien.",
        "priority": Priority.NORMAL,
        "chorus_object": "",
        "chorus_reference": "",
    }
    return {**data, **overrides}


def files(*uploads):
    return MultiValueDict({"attachments": list(uploads)})


def pdf(name="note.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, "application/pdf")


def test_categories_are_grouped_by_axis_in_the_axes_order(agent):
    CategoryFactory(axis=Axis.TOOL, name="Ancienne catégorie", is_active=False)
    choices = SupportRequestForm(user=agent).fields["category"].choices
    assert choices[0][0] == ""
    groups = choices[1:]
    assert [label for label, _ in groups] == [axis.label for axis in Axis]
    tool_names = [name for _, name in groups[0][1]]
    assert "Restitutions (INF-BUD, Business Objects)" in tool_names
    assert "Ancienne catégorie" not in tool_names
    html = str(SupportRequestForm(user=agent)["category"])
    assert html.count("<optgroup") == len(Axis)


def test_valid_request_gives_the_service_arguments(agent):
    form = SupportRequestForm(request_data(), files(pdf()), user=agent)
    assert form.is_valid(), form.errors
    arguments = form.service_arguments()
    assert arguments["category"] == category(Axis.TOOL)
    assert arguments["files"] == [FileToStore(arguments["files"][0].upload, "application/pdf")]
    assert form.files_to_reselect is None


def test_category_of_another_axis_is_refused_on_the_category_field(agent):
    form = SupportRequestForm(
        request_data(axis=Axis.YEAR_END, category=category(Axis.TOOL).pk), user=agent
    )
    assert not form.is_valid()
    assert "ne relève pas de l’axe choisi" in form.errors["category"][0]
    assert str(Axis.YEAR_END.label) in form.errors["category"][0]


def test_only_programmes_and_csp_serving_the_ddi_are_offered_and_accepted(agent):
    mine = AttachmentFactory(ddi=agent.ddi)
    elsewhere = AttachmentFactory()
    form = SupportRequestForm(user=agent)
    assert list(form.fields["programme"].queryset) == [mine.programme]
    assert list(form.fields["service_centre"].queryset) == [mine.service_centre]

    refused = SupportRequestForm(
        request_data(programme=elsewhere.programme.pk, service_centre=elsewhere.service_centre.pk),
        user=agent,
    )
    assert not refused.is_valid()
    assert refused.errors["programme"] == ["Ce programme n’est pas suivi par votre DDI."]
    assert refused.errors["service_centre"] == ["Ce CSP ne sert pas votre DDI."]

    accepted = SupportRequestForm(
        request_data(programme=mine.programme.pk, service_centre=mine.service_centre.pk),
        user=agent,
    )
    assert accepted.is_valid(), accepted.errors


@pytest.mark.parametrize(
    ("chorus_object", "reference", "error"),
    [
        (ChorusObject.EJ, "12345", "un numéro d'EJ a 10 chiffres"),
        (ChorusObject.DP, "01000838", "un numéro de DP a 10 chiffres"),
        ("", "2104410702", "Précisez l'objet Chorus"),
    ],
)
def test_chorus_reference_is_checked_against_its_object(agent, chorus_object, reference, error):
    form = SupportRequestForm(
        request_data(chorus_object=chorus_object, chorus_reference=reference), user=agent
    )
    assert not form.is_valid()
    assert error in form.errors["chorus_reference"][0]


def test_chorus_reference_is_normalised(agent):
    form = SupportRequestForm(
        request_data(chorus_object=ChorusObject.EJ, chorus_reference="  2104410702 /  00001 "),
        user=agent,
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["chorus_reference"] == "2104410702 / 00001"


def test_one_bad_file_keeps_the_names_of_the_good_ones_to_select_again(agent):
    form = SupportRequestForm(
        request_data(),
        files(
            pdf("devis.pdf"),
            SimpleUploadedFile("capture.png", png_bytes(), "image/png"),
            SimpleUploadedFile("facture.pdf", EXE_BYTES, "application/pdf"),
        ),
        user=agent,
    )
    assert not form.is_valid()
    assert "« facture.pdf »" in form.errors["attachments"][0]
    assert form.files_to_reselect == ["devis.pdf", "capture.png"]


def test_good_files_must_be_selected_again_when_another_field_is_wrong(agent):
    form = SupportRequestForm(request_data(title=""), files(pdf("devis.pdf")), user=agent)
    assert not form.is_valid()
    assert form.files_to_reselect == ["devis.pdf"]
    assert SupportRequestForm(request_data(title=""), user=agent).files_to_reselect is None


def test_at_most_ten_files(agent):
    form = SupportRequestForm(
        request_data(), files(*(pdf(f"piece-{n}.pdf") for n in range(11))), user=agent
    )
    assert not form.is_valid()
    assert form.errors["attachments"] == [
        "Joignez au plus 10 fichiers (vous en avez sélectionné 11)."
    ]
    ten = SupportRequestForm(
        request_data(), files(*(pdf(f"piece-{n}.pdf") for n in range(10))), user=agent
    )
    assert ten.is_valid(), ten.errors


def test_reply_form_offers_internal_notes_to_the_team_only(agent, member):
    support_request = SupportRequestFactory(requester=agent)
    agent_form = ReplyForm(
        {"body": "Voici", "kind": "internal", "version": 1},
        user=agent,
        support_request=support_request,
    )
    assert "kind" not in agent_form.fields
    assert agent_form.is_valid()
    assert agent_form.is_internal is False

    team_form = ReplyForm(
        {"body": "Voir avec l'AIFE", "kind": "internal", "version": 1},
        user=member,
        support_request=support_request,
    )
    assert team_form.is_valid(), team_form.errors
    assert team_form.is_internal is True


def test_reply_form_expects_the_version_shown(agent):
    support_request = SupportRequestFactory(requester=agent, version=7)
    form = ReplyForm(user=agent, support_request=support_request)
    assert form["version"].value() == 7
    form = ReplyForm({"body": "x", "version": 7}, user=agent, support_request=support_request)
    assert form.is_valid()
    form.keep_for_retry(9)
    assert form["version"].value() == "9"
    assert form["body"].value() == "x"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (None, {"status": "open", "axis": "", "search": "", "mine": False}),
        (
            {"status": Status.RESOLVED, "axis": Axis.PROCESS, "q": " EJ ", "mine": "on"},
            {"status": "resolved", "axis": "process", "search": "EJ", "mine": True},
        ),
        ({"status": "all"}, {"status": "all", "axis": "", "search": "", "mine": False}),
        # A tampered value is ignored, the others still apply.
        (
            {"status": "n'importe", "axis": Axis.TOOL},
            {"status": "open", "axis": "tool", "search": "", "mine": False},
        ),
    ],
)
def test_list_filters(query, expected):
    assert RequestFilterForm(query).criteria() == expected
