"""Form fields shared by the project's forms."""

from crispy_forms.layout import Div
from django import forms
from django.core.exceptions import ValidationError


class DateInput(forms.DateInput):
    """The browser's date picker, in ISO format, inside the DSFR input group."""

    input_type = "date"
    group_class = "fr-input-group"  # read by the DSFR field template

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def grid_row(*columns) -> Div:
    """A DSFR grid row for crispy layouts."""
    return Div(*columns, css_class="fr-grid-row fr-grid-row--gutters")


def grid_col(field: str, css_class: str = "fr-col-12 fr-col-sm-6 fr-col-lg-3") -> Div:
    return Div(field, css_class=css_class)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's field, refusing an identifier too large for the database as invalid
    (SQLite raises OverflowError on `pk__in` with such a number) instead of failing."""

    def _check_values(self, value):
        try:
            return super()._check_values(value)
        except OverflowError as exc:
            raise ValidationError(
                self.error_messages["invalid_pk_value"],
                code="invalid_pk_value",
                params={"pk": "…"},
            ) from exc
