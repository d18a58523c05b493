"""What every form of the portal builds on: the DSFR base form and its one renderer (which
writes `<select>` elements in Python rather than through two templates per option), and
shared fields, widgets and crispy layout helpers."""

from crispy_forms.layout import Div
from django import forms
from django.core.exceptions import ValidationError
from django.utils.dateformat import format as format_date
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm, DsfrDjangoTemplates

from accompagnement.core.dates import FIRST_DAY, LAST_DAY
from ddi.enums import DDIKind

SELECT_TEMPLATE = "django/forms/widgets/select.html"
SELECT_OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _text(value) -> str:
    """What `{{ value }}` writes in a template: localised, then escaped unless safe."""
    if not isinstance(value, str):
        value = localize(value)
    return conditional_escape(value if isinstance(value, SafeData) else str(value))


def _string(value) -> str:
    """What `{{ value|stringformat:'s' }}` writes."""
    return conditional_escape(value if isinstance(value, SafeData) else str(value))


def _attrs(attrs: dict) -> str:
    """Django's `attrs.html`, character for character."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_string(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def render_select(widget: dict) -> str:
    """Django's `select.html` and `select_option.html`, character for character.

    The templates are rendered once per option, two includes each: the queue's filters
    (some 600 options: DDIs, departments, CSP…) spent some 40 % of the page’s time there.
    """
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        parts.extend(
            f'\n  <option value="{_string(option["value"])}"{_attrs(option["attrs"])}>'
            f"{_text(option['label'])}</option>\n"  # the template file's last line break
            for option in options
        )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # noqa: S308 (every value escaped above)


class DsfrFormRenderer(DsfrDjangoTemplates):
    """django-dsfr's renderer, writing plain `<select>` elements in Python."""

    def render(self, template_name, context, request=None):
        if template_name == SELECT_TEMPLATE and all(
            option["template_name"] == SELECT_OPTION_TEMPLATE
            for _group, options, _index in context["widget"]["optgroups"]
            for option in options
        ):
            return render_select(context["widget"])
        return super().render(template_name, context, request)


# django-dsfr's forms name their renderer by its class, so Django builds a new renderer
# for every form, and with it a new template engine whose template cache starts empty.
# One renderer for the process.
DSFR_FORM_RENDERER = DsfrFormRenderer()


class DsfrForm(DsfrBaseForm):
    """django-dsfr's base form, rendered by the process's one DSFR renderer."""

    default_renderer = DSFR_FORM_RENDERER


ALL_KINDS_HELP = _("Aucun coché : tous les types.")


def ddi_kinds_field(label, help_text=ALL_KINDS_HELP):
    """The kinds of DDI something is meant for, as checkboxes (stored as a JSON list)."""
    return forms.MultipleChoiceField(
        label=label,
        choices=DDIKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=help_text,
    )


class DateInput(forms.DateInput):
    """The browser's date picker, in ISO format, inside the DSFR input group."""

    input_type = "date"
    group_class = "fr-input-group"  # read by the DSFR field template

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


DAY_OUT_OF_RANGE = _("Indiquez une date entre le %(first)s et le %(last)s.")


def _check_day(field, day) -> None:
    if day and not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationError(
            field.error_messages["out_of_range"],
            code="out_of_range",
            params={
                "first": format_date(FIRST_DAY, "d/m/Y"),
                "last": format_date(LAST_DAY, "d/m/Y"),
            },
        )


class DayField(forms.DateField):
    """A day between `FIRST_DAY` and `LAST_DAY`; another is refused with a French message
    (9999-12-31 is a date, but the day after it is not)."""

    default_error_messages = {"out_of_range": DAY_OUT_OF_RANGE}

    def validate(self, value):
        super().validate(value)
        _check_day(self, value)


class MomentField(forms.DateTimeField):
    """A moment on a day between `FIRST_DAY` and `LAST_DAY` (a session's end, a moment
    in UTC must exist too), or a French message."""

    default_error_messages = {"out_of_range": DAY_OUT_OF_RANGE}

    def validate(self, value):
        super().validate(value)
        _check_day(self, value.date() if value else None)


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
