from django.core.management.base import BaseCommand

from accompagnement.tasks import schedules_sync


class Command(BaseCommand):
    help = (
        "Crée les tâches périodiques déclarées dans accompagnement/schedules.py qui manquent ; "
        "celles qui existent déjà (éventuellement modifiées par le pilote) sont laissées telles "
        "quelles."
    )

    def handle(self, *args, **options):
        report = schedules_sync()
        for name in report["created"]:
            self.stdout.write(f"  créée : {name}")
        for name in report["existing"]:
            self.stdout.write(f"  déjà présente, laissée telle quelle : {name}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Tâches périodiques : {len(report['created'])} créées, "
                f"{len(report['existing'])} déjà présentes."
            )
        )
