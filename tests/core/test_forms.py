"""The project's form helpers: identifiers too large for the database are invalid choices,
not server errors; selects are written as Django's templates write them."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from accompagnement.accounts.forms import LoginForm
from accompagnement.axes.models import Category
from accompagnement.core.forms import DSFR_FORM_RENDERER, DsfrFormRenderer, ModelMultipleChoiceField
from accompagnement.support.forms.replies import ReplyForm
from tests.support.factories import CategoryFactory


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["9223372036854775808", str(10**30)])
def test_a_huge_identifier_is_an_invalid_choice(value):
    category = CategoryFactory()
    field = ModelMultipleChoiceField(queryset=Category.objects.all())
    assert list(field.clean([str(category.pk)])) == [category]
    with pytest.raises(Exception) as caught:
        field.clean([value])
    assert caught.type.__name__ == "ValidationError"


# ---------------------------------------------------------------------------- rendering

CHOICES = [
    ("", "Toutes les DDI"),
    (
        "Hauts-de-France",
        [(1, "DDT 02 — Aisne"), (2, mark_safe("<b>déjà sûr</b>")), (3, "Nord & Pas <de> Calais")],
    ),
    (4, "DDPP 13 — Bouches-du-Rhône"),
    ('5"', "Guillemets \" et apostrophes '"),
]


class _Form(forms.Form):
    single = forms.ChoiceField(choices=CHOICES, required=False)
    several = forms.MultipleChoiceField(choices=CHOICES, required=True)
    kind = forms.ChoiceField(
        choices=[("DDT", "DDT"), ("DDPP", "DDPP")],
        widget=forms.Select(attrs={"class": "fr-select", "disabled": True, "data-x": 'a"b'}),
    )


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"single": "4", "several": ["1", "3"], "kind": "DDPP"},
        {"single": '5"', "several": ["2"]},
    ],
)
def test_selects_written_in_python_are_the_ones_django_templates_write(data):
    form = _Form(data or None)
    for name in ("single", "several", "kind"):
        field = form[name]
        attrs = field.build_widget_attrs({"id": field.auto_id})

        def render(renderer, field=field, attrs=attrs):
            return field.field.widget.render(field.html_name, field.value(), attrs, renderer)

        written = render(DsfrFormRenderer())
        assert written == render(DjangoTemplates())
        assert "<option" in written


def test_every_dsfr_form_shares_one_renderer():
    """A renderer per form meant a template engine per form, compiling every widget
    template again on every page."""
    assert LoginForm().renderer is DSFR_FORM_RENDERER
    assert LoginForm().renderer is LoginForm().renderer
    assert ReplyForm.default_renderer is DSFR_FORM_RENDERER
