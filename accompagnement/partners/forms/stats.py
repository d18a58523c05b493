"""The period of the partners' response times (`/pilotage/partenaires/`): two days in the
URL, so that a view is a link to send. Without them, the current month and the eleven
before it."""

from datetime import date

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django.utils.translation import gettext_lazy as _

from accompagnement.core.forms import DateInput, DayField, DsfrForm
from accompagnement.core.forms import grid_col as _col
from accompagnement.core.forms import grid_row as _row
from accompagnement.partners.selectors.stats import StatsPeriod

# Longest period, so that a typo in a year does not count centuries of months.
MAX_DAYS = 366 * 20


class PartnerStatsFilterForm(DsfrForm):
    start = DayField(
        label=_("Du"),
        required=False,
        widget=DateInput(),
        help_text=_("Escalades envoyées à partir de ce jour ; format jj/mm/aaaa"),
    )
    end = DayField(label=_("Au"), required=False, widget=DateInput(), help_text=_("inclus"))

    def __init__(self, data=None, *, today: date, **kwargs):
        super().__init__(data, **kwargs)
        self.today = today
        if not self.is_bound:  # the inputs show the period applied
            default = StatsPeriod.default(today)
            self.initial = {"start": default.start, "end": default.end, **self.initial}
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            _row(_col("start", "fr-col-12 fr-col-sm-6"), _col("end", "fr-col-12 fr-col-sm-6"))
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if start > end:
                self.add_error("end", _("Le dernier jour doit suivre le premier."))
            elif (end - start).days > MAX_DAYS:
                self.add_error("start", _("La période ne peut pas dépasser vingt ans."))
        return cleaned

    def period(self) -> StatsPeriod:
        """The period asked for; the default one when a day is wrong (the errors say so)."""
        default = StatsPeriod.default(self.today)
        if not self.is_bound or not self.is_valid():
            return default
        start, end = self.cleaned_data.get("start"), self.cleaned_data.get("end")
        if start and not end:
            end = max(start, self.today)
        elif end and not start:
            start = StatsPeriod.default(end).start
        return StatsPeriod(start or default.start, end or default.end)
