import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from accompagnement.demo import AGENTS, DEMO_PASSWORD, TEAM, MissingReferenceData, seed_demo_people


class Command(BaseCommand):
    help = "Crée ou met à jour les comptes de démonstration (personnes fictives, example.org)."

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true", help="Sans barre de progression.")

    def handle(self, *args, **options):
        show_progress = not options["no_progress"] and sys.stderr.isatty()

        def progress(items):
            return tqdm(items, desc="Comptes de démonstration", unit="compte", file=sys.stderr)

        try:
            counts = seed_demo_people(progress=progress if show_progress else None)
        except MissingReferenceData as exc:
            raise CommandError(
                "Les données de référence manquent : lancez d'abord "
                "« python manage.py load_reference_data »."
            ) from exc

        self.stdout.write(
            self.style.SUCCESS(
                f"Comptes de démonstration : {counts['created']} créés, "
                f"{counts['existing']} déjà présents (remis à leur état de démonstration)."
            )
        )
        self.stdout.write(f"Mot de passe de tous les comptes de démonstration : {DEMO_PASSWORD}")
        for person in TEAM:
            self.stdout.write(f"  {person.role.label:<22} {person.email}")
        for agent in AGENTS:
            self.stdout.write(
                f"  {'Agent ' + agent.ddi_kind + ' ' + agent.department:<22} {agent.email}"
            )
