"""The dashboards' filter form: every field is a GET parameter, so a view is a URL."""

from datetime import date

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from accompagnement.axes.models import Axis
from accompagnement.core.forms import DateInput, DayField, DsfrForm
from accompagnement.core.forms import grid_col as _col
from accompagnement.core.forms import grid_row as _row
from accompagnement.steering.dashboards.scope import TEAM_CREATED, Period, Scope, period_bounds
from accompagnement.support.selectors import queue as queue_selectors
from ddi.enums import DDIKind

# Longest custom period, so that a typo in a year does not scan centuries.
MAX_CUSTOM_DAYS = 366 * 20


class DashboardFilterForm(DsfrForm):
    period = forms.ChoiceField(label=_("Période"), choices=Period.CHOICES, required=False)
    start = DayField(
        label=_("Du"),
        required=False,
        widget=DateInput(),
        help_text=_("Pour « Dates choisies » ; format jj/mm/aaaa"),
    )
    end = DayField(label=_("Au"), required=False, widget=DateInput())
    ddi_kind = forms.ChoiceField(label=_("Type de DDI"), required=False)
    region = forms.TypedChoiceField(label=_("Région"), required=False, coerce=int, empty_value=None)
    department = forms.TypedChoiceField(
        label=_("Département"), required=False, coerce=int, empty_value=None
    )
    axis = forms.ChoiceField(label=_("Axe"), required=False)
    csp = forms.TypedChoiceField(label=_("CSP"), required=False, coerce=int, empty_value=None)
    programme = forms.TypedChoiceField(
        label=_("Programme"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, data=None, *, today: date, **kwargs):
        super().__init__(data, **kwargs)
        self.today = today
        lists = queue_selectors.reference_choices(
            "regions", "departments", "service_centres", "programmes"
        )
        self.fields["ddi_kind"].choices = [("", _("Tous les types"))] + [
            (kind, kind) for kind in DDIKind.values
        ]
        self.fields["axis"].choices = [("", _("Tous les axes")), *Axis.choices]
        self.fields["region"].choices = [("", _("Toutes les régions")), *lists["regions"]]
        self.fields["department"].choices = [
            ("", _("Tous les départements")),
            *lists["departments"],
        ]
        self.fields["csp"].choices = [("", _("Tous les CSP")), *lists["service_centres"]]
        self.fields["programme"].choices = [
            ("", _("Tous les programmes")),
            *lists["programmes"],
        ]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            _row(_col("period"), _col("start"), _col("end"), _col("axis")),
            _row(_col("ddi_kind"), _col("region"), _col("department")),
            _row(_col("csp", "fr-col-12 fr-col-md-6"), _col("programme", "fr-col-12 fr-col-md-6")),
        )

    def clean(self):
        cleaned = super().clean()
        period = cleaned.get("period") or Period.DEFAULT
        cleaned["period"] = period
        if period != Period.CUSTOM:
            return cleaned
        start, end = cleaned.get("start"), cleaned.get("end")
        if "start" in self.errors or "end" in self.errors:
            return cleaned
        if not start or not end:
            raise forms.ValidationError(
                _("Pour des dates choisies, indiquez le premier et le dernier jour.")
            )
        if start > end:
            self.add_error("end", _("Le dernier jour doit suivre le premier."))
        elif (end - start).days > MAX_CUSTOM_DAYS:
            self.add_error("start", _("La période ne peut pas dépasser vingt ans."))
        return cleaned

    def scope(self) -> Scope:
        """The filters as a `Scope`: a field with an error falls back to its default."""
        data = self.cleaned_data if self.is_bound else {}
        valid = {
            name: value
            for name, value in data.items()
            if name not in self.errors and value not in (None, "")
        }
        period = valid.get("period", Period.DEFAULT)
        if period == Period.CUSTOM and self.errors:
            period = Period.DEFAULT
        start, end = period_bounds(period, self.today, valid.get("start"), valid.get("end"))
        if start < TEAM_CREATED and period != Period.CUSTOM:
            start = TEAM_CREATED
        return Scope(
            today=self.today,
            start=start,
            end=end,
            period=period,
            ddi_kind=valid.get("ddi_kind", ""),
            region=valid.get("region"),
            department=valid.get("department"),
            axis=valid.get("axis", ""),
            csp=valid.get("csp"),
            programme=valid.get("programme"),
        )
