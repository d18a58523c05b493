"""What a load step tells: counts of rows created, updated, unchanged, and what else it
did, for `manage.py load_reference_data` to print."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


@dataclass
class LoadReport:
    """What one step of the load did to the rows of one file."""

    label: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)
    # What the load did beyond the counts, one line each (removed attachments…).
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        # Feminine: the counts are of rows ("lignes").
        counts = ", ".join(
            [
                ngettext("%(n)d créée", "%(n)d créées", self.created) % {"n": self.created},
                ngettext("%(n)d mise à jour", "%(n)d mises à jour", self.updated)
                % {"n": self.updated},
                ngettext("%(n)d inchangée", "%(n)d inchangées", self.unchanged)
                % {"n": self.unchanged},
            ]
        )
        return _("%(label)s : %(counts)s") % {"label": self.label, "counts": counts}


@dataclass
class AttachmentsReport(LoadReport):
    """Attachments are derived, never updated: created, kept as they are, or removed when a
    programme exception rules out the loader's own default."""

    removed: int = 0

    def summary(self) -> str:
        parts = [ngettext("%(n)d créé", "%(n)d créés", self.created) % {"n": self.created}]
        if self.removed:
            parts.append(
                ngettext(
                    "%(n)d supprimé (exception de programme)",
                    "%(n)d supprimés (exception de programme)",
                    self.removed,
                )
                % {"n": self.removed}
            )
        parts.append(
            ngettext("%(n)d conservé tel quel", "%(n)d conservés tels quels", self.unchanged)
            % {"n": self.unchanged}
        )
        return _("%(label)s : %(counts)s") % {"label": self.label, "counts": ", ".join(parts)}
