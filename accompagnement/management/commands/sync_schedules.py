from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accompagnement.tasks import schedules_sync


class Command(BaseCommand):
    help = gettext_lazy(
        "Crée les tâches périodiques déclarées dans accompagnement/tasks.py qui manquent ; "
        "celles qui existent déjà (éventuellement modifiées par le pilote) sont laissées telles "
        "quelles."
    )

    def handle(self, *args, **options):
        report = schedules_sync()
        for name in report["created"]:
            self.stdout.write(_("  créée : %(name)s") % {"name": name})
        for name in report["existing"]:
            self.stdout.write(
                _("  déjà présente, laissée telle quelle : %(name)s") % {"name": name}
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("Tâches périodiques : %(created)s créées, %(existing)s déjà présentes.")
                % {"created": len(report["created"]), "existing": len(report["existing"])}
            )
        )
