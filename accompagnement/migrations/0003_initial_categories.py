"""Seed the request categories once; the team edits them in the admin afterwards."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "categories.csv"


def seed_categories(apps, schema_editor):
    Category = apps.get_model("accompagnement", "Category")
    with DATA.open(encoding="utf-8", newline="") as handle:
        for position, row in enumerate(csv.DictReader(handle)):
            Category.objects.get_or_create(
                code=row["code"],
                defaults={
                    "axis": row["axis"],
                    "name": row["name"],
                    "description": row["description"],
                    "source": row["source"],
                    "position": position,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("accompagnement", "0002_support_requests")]

    operations = [migrations.RunPython(seed_categories, migrations.RunPython.noop)]
