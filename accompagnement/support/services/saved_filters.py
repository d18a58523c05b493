"""A member's saved queue filters."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accompagnement.accounts.models import User
from accompagnement.support.team_models import SavedFilter


def saved_filter_create(*, owner: User, name: str, query: str) -> SavedFilter:
    try:
        with transaction.atomic():
            return SavedFilter.objects.create(owner=owner, name=name, query=query)
    except IntegrityError as exc:
        # Same name saved at the same moment from another tab.
        raise ValidationError(
            _("Vous avez déjà un filtre nommé « %(name)s ».") % {"name": name}
        ) from exc


def saved_filter_delete(*, saved_filter: SavedFilter) -> None:
    saved_filter.delete()
