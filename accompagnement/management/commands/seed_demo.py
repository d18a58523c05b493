import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from accompagnement.demo.articles import InvalidDemoArticle, seed_demo_articles
from accompagnement.demo.campaign import seed_demo_campaign
from accompagnement.demo.canned import seed_demo_canned_responses
from accompagnement.demo.interventions import seed_demo_interventions
from accompagnement.demo.partner_actions import seed_demo_partner_actions
from accompagnement.demo.people import (
    AGENTS,
    DEMO_PASSWORD,
    TEAM,
    MissingReferenceData,
    seed_demo_people,
)
from accompagnement.demo.requests import (
    MAX_PER_YEAR,
    MissingDemoData,
    NotEnoughReferences,
    seed_demo_requests,
)
from accompagnement.demo.routing import seed_demo_routing
from accompagnement.support.models import SupportRequest

MISSING_REFERENCE_DATA = (
    "Les données de référence manquent : lancez d'abord « python manage.py load_reference_data »."
)


class Command(BaseCommand):
    help = (
        "Crée ou met à jour les comptes de démonstration (personnes fictives, example.org) ; "
        "avec --requests N, AJOUTE N demandes de démonstration (avec leurs messages et leur "
        "historique) à celles qui existent déjà."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true", help="Sans barre de progression.")
        parser.add_argument(
            "--requests",
            type=int,
            default=0,
            metavar="N",
            help=(
                "Ajoute N demandes réparties depuis septembre 2011 (chaque exécution en ajoute "
                f"N de plus ; {MAX_PER_YEAR} références au plus par année)."
            ),
        )
        parser.add_argument(
            "--ensure-requests",
            type=int,
            default=0,
            metavar="N",
            help=(
                "Ajoute ce qu'il manque pour qu'il y ait au moins N demandes (rien si elles y "
                "sont déjà) : ce que lance `make run`, qui peut donc être relancé."
            ),
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=None,
            help="Graine du hasard, pour des données reproductibles.",
        )

    def handle(self, *args, **options):
        show_progress = not options["no_progress"] and sys.stderr.isatty()
        if options["requests"] < 0 or options["ensure_requests"] < 0:
            raise CommandError("--requests et --ensure-requests attendent un nombre positif.")

        def progress(items):
            return tqdm(items, desc="Comptes de démonstration", unit="compte", file=sys.stderr)

        try:
            counts = seed_demo_people(progress=progress if show_progress else None)
        except MissingReferenceData as exc:
            raise CommandError(MISSING_REFERENCE_DATA) from exc

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

        self._seed_campaign()
        self._seed_articles()
        self._seed_interventions()
        self._seed_routing()
        self._seed_canned_responses()
        self._seed_partner_actions()

        count = options["requests"]
        if options["ensure_requests"]:
            count += max(0, options["ensure_requests"] - SupportRequest.objects.count())
        if count:
            self._seed_requests(count, options["seed"], show_progress)

    def _seed_campaign(self) -> None:
        today = timezone.localdate()
        counts = seed_demo_campaign(today=today)
        if counts["skipped"]:
            self.stdout.write(
                self.style.WARNING(
                    f"Campagne de démonstration non créée : une campagne de fin de gestion "
                    f"{today.year} existe déjà sous un autre nom (laissée telle quelle)."
                )
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Campagne « Fin de gestion {today.year} (démonstration) » : jalons à J+0, J+1, "
                f"J+7 et J+15, reportés au jour ouvré suivant si besoin ({counts['created']} "
                f"créés, {counts['moved']} recalés sur la date du jour, {counts['unchanged']} "
                "déjà à jour)."
            )
        )

    def _seed_articles(self) -> None:
        try:
            counts = seed_demo_articles(today=timezone.localdate())
        except InvalidDemoArticle as exc:
            raise CommandError(f"Article de démonstration invalide : {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Articles de démonstration publiés : {counts['created']} créés, "
                f"{counts['existing']} déjà présents (laissés tels quels)."
            )
        )

    def _seed_interventions(self) -> None:
        counts = seed_demo_interventions(today=timezone.localdate())
        self.stdout.write(
            self.style.SUCCESS(
                f"Sessions de démonstration annoncées : {counts['created']} créées, "
                f"{counts['existing']} déjà présentes (laissées telles quelles)."
            )
        )

    def _seed_partner_actions(self) -> None:
        counts = seed_demo_partner_actions(today=timezone.localdate())
        if counts["skipped"]:
            self.stdout.write(
                self.style.WARNING(
                    f"Actions des partenaires de démonstration : {counts['skipped']} laissées de "
                    "côté, leur partenaire manque (python manage.py load_reference_data)."
                )
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Actions des partenaires de démonstration : {counts['created']} créées, "
                f"{counts['existing']} déjà présentes ; relances de la pilote ajoutées : "
                f"{counts['follow_ups']} (voir /pilotage/actions/)."
            )
        )

    def _seed_canned_responses(self) -> None:
        counts = seed_demo_canned_responses()
        self.stdout.write(
            self.style.SUCCESS(
                f"Réponses types de démonstration : {counts['created']} créées, "
                f"{counts['existing']} déjà présentes (laissées telles quelles)."
            )
        )

    def _seed_routing(self) -> None:
        counts = seed_demo_routing(today=timezone.localdate())
        self.stdout.write(
            self.style.SUCCESS(
                f"Règles d'attribution de démonstration : {counts['rules']} à jour ; "
                f"absences ajoutées : {counts['absences']} (voir /equipe/regles/ et "
                "/equipe/absences/)."
            )
        )

    def _seed_requests(self, count: int, seed: int | None, show_progress: bool) -> None:
        bar = tqdm(
            total=count,
            desc="Demandes de démonstration",
            unit="demande",
            file=sys.stderr,
            disable=not show_progress,
        )
        try:
            with bar:
                report = seed_demo_requests(count=count, seed=seed, progress=bar.update)
        except MissingDemoData as exc:
            raise CommandError(MISSING_REFERENCE_DATA) from exc
        except NotEnoughReferences as exc:
            raise CommandError(
                f"Plus assez de références libres ({MAX_PER_YEAR} par année au plus) pour "
                f"ajouter {count} demandes."
            ) from exc

        self.stdout.write(
            self.style.SUCCESS(
                f"Demandes de démonstration : {report.created} ajoutées, avec {report.messages} "
                f"messages et {report.events} événements, en {report.seconds:.1f} s."
            )
        )
        if report.agents_created:
            self.stdout.write(
                f"  {report.agents_created} agents fictifs créés dans les DDI "
                "(sans mot de passe : ils ne se connectent pas)."
            )
        if report.acknowledgements:
            self.stdout.write(
                f"  {report.acknowledgements} jalons passés marqués faits par les DDI visées."
            )
        if report.escalations:
            self.stdout.write(
                f"  {report.escalations} demandes escaladées suivies auprès de leur partenaire."
            )
        if report.past_escalations:
            self.stdout.write(
                f"  {report.past_escalations} demandes terminées passées par un partenaire "
                "(escalade répondue)."
            )
        for year, (first, last) in sorted(report.by_year.items()):
            self.stdout.write(f"  {year} : {first} à {last}")
