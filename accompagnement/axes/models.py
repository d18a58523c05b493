"""The team's four priority axes and the categories of problems under them: every
request, article and session is filed under them (editable categories, fixed axes)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Axis(models.TextChoices):
    """The team's four priority axes: every request and article is filed under one."""

    TOOL = "tool", _("Maîtrise de l'outil Chorus")
    PROCESS = "process", _("Maîtrise des processus et de l'organisation financière")
    PRACTICES = "practices", _("Bonnes pratiques et harmonisation avec les plateformes")
    YEAR_END = "year_end", _("Fin de gestion et démarrage de la gestion suivante")


class Category(models.Model):
    """A kind of problem under an axis (editable data)."""

    axis = models.CharField(_("axe"), max_length=20, choices=Axis.choices)
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("libellé"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    is_active = models.BooleanField(_("proposée aux DDI"), default=True)
    source = models.TextField(_("source"), blank=True)

    class Meta:
        verbose_name = _("catégorie")
        verbose_name_plural = _("catégories")
        ordering = ["axis", "position", "name"]

    def __str__(self):
        return self.name
