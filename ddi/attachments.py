"""The attachments of each DDI to a CSP, derived from the reference data (there is no
attachments file): created when missing, never changed, removed only where a programme
exception rules out the loader's own default. Called by `ddi.services.reference_data_load`."""

from collections import defaultdict

from django.utils.translation import gettext as _

from ddi.enums import Confidence
from ddi.models import (
    DDI,
    Programme,
    ProgrammeException,
    ProgrammeUse,
    ServiceCentre,
    ServiceCentreAttachment,
)
from ddi.reports import AttachmentsReport

_BATCH_SIZE = 500


def _default_centres() -> dict[tuple[int | None, int], int]:
    """The loader's default CSP per (region, programme); region None for a national one."""
    centre_by_region_programme = {}
    links = ServiceCentre.programmes.through.objects.order_by("-servicecentre__code")
    # Ordered by code descending so that the first centre by code wins on a tie.
    for centre_id, programme_id, region_id in links.values_list(
        "servicecentre_id", "programme_id", "servicecentre__region_id"
    ):
        centre_by_region_programme[region_id, programme_id] = centre_id
    return centre_by_region_programme


def ddi_attachments_create_missing() -> AttachmentsReport:
    """Attach every DDI, for each programme its kind uses, to a CSP when it has none.

    The default CSP is the one of the DDI's region that handles the programme (else a national
    one). Existing attachments are never changed: an administrator may have corrected them.

    A programme that another service runs in the DDI's department (`ProgrammeException`
    with `ddi_attached` False: programme 177 in Paris and the petite couronne, run by the
    DRIHL) gets no attachment; one left from an earlier load is removed while it is still
    the loader's inferred default (same CSP, confidence `inferred`), kept and reported
    otherwise.
    """
    report = AttachmentsReport(_("rattachements des DDI aux CSP"))
    programmes_by_kind = defaultdict(list)
    for kind, programme_id in ProgrammeUse.objects.values_list("ddi_kind", "programme_id"):
        programmes_by_kind[kind].append(programme_id)
    centre_by_region_programme = _default_centres()
    not_attached = set(
        ProgrammeException.objects.filter(ddi_attached=False).values_list(
            "department_id", "programme_id"
        )
    )
    existing = {
        (ddi_id, programme_id): (pk, centre_id, confidence)
        for pk, ddi_id, programme_id, centre_id, confidence in (
            ServiceCentreAttachment.objects.values_list(
                "pk", "ddi_id", "programme_id", "service_centre_id", "confidence"
            )
        )
    }
    programme_codes = dict(Programme.objects.values_list("pk", "code"))
    centre_names = {}
    to_create, to_remove = [], []
    ddis = DDI.objects.values_list(
        "pk", "kind", "department_id", "department__region_id", "department__code"
    )
    for ddi_id, kind, department_id, region_id, department_code in ddis.order_by(
        "department__code", "kind"
    ):
        for programme_id in programmes_by_kind[kind]:
            centre_id = centre_by_region_programme.get(
                (region_id, programme_id)
            ) or centre_by_region_programme.get((None, programme_id))
            current = existing.get((ddi_id, programme_id))
            if (department_id, programme_id) in not_attached:
                if current is None:
                    continue
                pk, current_centre_id, confidence = current
                labels = {
                    "ddi": f"{kind} {department_code}",
                    "programme": programme_codes[programme_id],
                }
                if confidence == Confidence.INFERRED and current_centre_id == centre_id:
                    to_remove.append(pk)
                    report.notes.append(
                        _(
                            "%(ddi)s : rattachement au CSP pour le programme %(programme)s "
                            "supprimé (le programme est traité par un autre service dans le "
                            "département, voir programme_exceptions.csv)"
                        )
                        % labels
                    )
                else:
                    report.unchanged += 1
                    if not centre_names:
                        centre_names.update(ServiceCentre.objects.values_list("pk", "name"))
                    report.warnings.append(
                        _(
                            "%(ddi)s : rattaché à « %(centre)s » pour le programme "
                            "%(programme)s alors que le programme est traité par un autre "
                            "service dans le département (programme_exceptions.csv) ; "
                            "rattachement modifié dans l'administration, conservé : à vérifier"
                        )
                        % {**labels, "centre": centre_names.get(current_centre_id, "?")}
                    )
                continue
            if current is not None:
                report.unchanged += 1
                continue
            if centre_id is None:
                report.warnings.append(
                    _("%(ddi)s : aucun CSP ne traite le programme %(programme)s")
                    % {
                        "ddi": f"{kind} {department_code}",
                        "programme": programme_codes[programme_id],
                    }
                )
                continue
            to_create.append(
                ServiceCentreAttachment(
                    ddi_id=ddi_id,
                    programme_id=programme_id,
                    service_centre_id=centre_id,
                    confidence=Confidence.INFERRED,
                    source=_(
                        "déduit par load_reference_data : CSP de la région de la DDI qui "
                        "traite ce programme (service_centres.csv), à confirmer"
                    ),
                )
            )
    ServiceCentreAttachment.objects.bulk_create(to_create, batch_size=_BATCH_SIZE)
    if to_remove:
        ServiceCentreAttachment.objects.filter(pk__in=to_remove).delete()
    report.created, report.removed = len(to_create), len(to_remove)
    return report
