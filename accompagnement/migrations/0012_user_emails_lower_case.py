"""E-mail addresses of the accounts in lower case, as the portal writes them.

The sign-in ignores the case of the address, and django-axes counts failures by the address
in lower case (accounts/lockout.py); a success resets them by the stored address, which must
then be in lower case too.

Two accounts whose addresses differ only by case are not merged nor renamed: both are left as
they are, and listed in a warning, for a person to sort out (deactivate one, move what it
holds to the other). Reversing the migration changes nothing.
"""

import logging
from collections import defaultdict

from django.db import migrations

logger = logging.getLogger(__name__)


def user_emails_lower_case(apps, schema_editor):
    User = apps.get_model("accompagnement", "User")
    by_address = defaultdict(list)
    for pk, email in User.objects.order_by("pk").values_list("pk", "email").iterator():
        by_address[email.lower()].append((pk, email))
    lowered, clashes = [], []
    for address, accounts in by_address.items():
        if len(accounts) > 1:
            clashes.append((address, accounts))
        elif accounts[0][1] != address:
            lowered.append(User(pk=accounts[0][0], email=address))
    User.objects.bulk_update(lowered, ["email"], batch_size=500)
    if clashes:
        logger.warning(
            "%d e-mail address(es) shared by several accounts once in lower case; these "
            "accounts were left unchanged, sort them out by hand:\n%s",
            len(clashes),
            "\n".join(
                f"  {address}: " + ", ".join(f"#{pk} {email}" for pk, email in accounts)
                for address, accounts in clashes
            ),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accompagnement", "0011_queue_indexes_anonymised_at"),
    ]

    operations = [
        migrations.RunPython(user_emails_lower_case, migrations.RunPython.noop, elidable=True),
    ]
