"""`python manage.py load_reference_data`: load `ddi/data/`, then the campaigns and the
partner directory of `accompagnement/data/` (idempotent).

The command lives here, not in `ddi`, because it loads both apps' data and `ddi` must not
depend on `accompagnement`.
"""

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accompagnement.campaigns.loaders import DATA_DIR as CAMPAIGN_DATA_DIR
from accompagnement.campaigns.loaders import read_campaign_data
from accompagnement.campaigns.services import campaign_data_load
from accompagnement.partners.loaders import DATA_DIR as PARTNER_DATA_DIR
from accompagnement.partners.loaders import known_references, read_partner_data
from accompagnement.partners.services.reference_data import partner_data_load
from accompagnement.study.loaders import read_study_phases
from accompagnement.study.services import study_data_load
from ddi.loaders import DATA_DIR, ReferenceDataError, read_reference_data
from ddi.models import Programme, ServiceCentre
from ddi.services import LoadReport, reference_data_load


@transaction.atomic
def reference_and_campaign_data_load(
    *,
    data_dir: Path = DATA_DIR,
    campaign_data_dir: Path = CAMPAIGN_DATA_DIR,
    partner_data_dir: Path = PARTNER_DATA_DIR,
    show_progress: bool = False,
) -> list[LoadReport]:
    """The organisations (`ddi/data/`), then the campaigns and the partners
    (`accompagnement/data/`).

    Every file of both folders is read and checked before the first write, and everything
    is written in one transaction: one bad row anywhere and nothing is loaded.
    """
    organisations = read_reference_data(data_dir)
    # A milestone may target what the files define or what an administrator added.
    programme_codes = {p.code for p in organisations.programmes}
    programme_codes.update(Programme.objects.values_list("code", flat=True))
    centre_codes = {c.code for c in organisations.service_centres}
    centre_codes.update(ServiceCentre.objects.values_list("code", flat=True))
    campaigns = read_campaign_data(
        campaign_data_dir, programme_codes=programme_codes, service_centre_codes=centre_codes
    )
    partners = read_partner_data(partner_data_dir, known=known_references(organisations))
    # The optimisation study's phases (study.csv) sit beside the campaigns.
    study_phases = read_study_phases(campaign_data_dir)
    reports = reference_data_load(data_dir=data_dir, show_progress=show_progress)
    return [
        *reports,
        *campaign_data_load(campaigns),
        study_data_load(study_phases),
        *partner_data_load(partners),
    ]


class Command(BaseCommand):
    help = gettext_lazy(
        "Charge ou met à jour les données de référence (régions, départements, ministères, "
        "programmes, CSP, DDI, structures) depuis les fichiers CSV de ddi/data/, crée les "
        "rattachements manquants des DDI aux CSP, puis charge les campagnes et leurs jalons, "
        "les phases de l'étude d'optimisation et l'annuaire des partenaires depuis "
        "accompagnement/data/. Peut être relancée sans "
        "risque."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=DATA_DIR,
            help=gettext_lazy("Dossier des fichiers CSV (par défaut : ddi/data/)."),
        )
        parser.add_argument(
            "--campaign-data-dir",
            type=Path,
            default=CAMPAIGN_DATA_DIR,
            help=gettext_lazy(
                "Dossier des campagnes, des jalons et de l'étude (par défaut : "
                "accompagnement/data/)."
            ),
        )
        parser.add_argument(
            "--partner-data-dir",
            type=Path,
            default=PARTNER_DATA_DIR,
            help=gettext_lazy(
                "Dossier de l'annuaire des partenaires (par défaut : accompagnement/data/)."
            ),
        )
        parser.add_argument(
            "--no-progress",
            action="store_true",
            help=gettext_lazy("N'affiche pas la barre de progression."),
        )

    def handle(
        self,
        *args,
        data_dir: Path,
        campaign_data_dir: Path,
        partner_data_dir: Path,
        no_progress: bool,
        verbosity: int,
        **options,
    ):
        started = time.monotonic()
        try:
            reports = reference_and_campaign_data_load(
                data_dir=data_dir,
                campaign_data_dir=campaign_data_dir,
                partner_data_dir=partner_data_dir,
                show_progress=not no_progress and verbosity > 0 and sys.stderr.isatty(),
            )
        except ReferenceDataError as error:
            raise CommandError(
                _("%(error)s. Aucune donnée n'a été chargée.") % {"error": error}
            ) from error
        if verbosity == 0:
            return
        for report in reports:
            self.stdout.write(report.summary())
            for note in getattr(report, "notes", ()):
                self.stdout.write(f"  {note}")
            for warning in report.warnings:
                self.stderr.write(self.style.WARNING(warning))
        self.stdout.write(
            self.style.SUCCESS(
                _("Données de référence chargées en %(seconds)s s.")
                % {"seconds": number_format(time.monotonic() - started, 2)}
            )
        )
