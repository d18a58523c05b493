"""The partner a request page suggests for escalation or redirection
(`partners/selectors/suggestions.py`)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accompagnement.partners.enums import PartnerKind
from accompagnement.partners.selectors.suggestions import (
    escalation_ministry,
    partner_suggestions,
    ranked_partners,
)
from accompagnement.support.enums import ChorusObject
from ddi.models import DDI, ProgrammeException
from tests.accounts.factories import UserFactory
from tests.ddi.factories import (
    DDIFactory,
    DepartmentFactory,
    MinistryFactory,
    ProgrammeFactory,
    RegionFactory,
    ServiceCentreFactory,
)
from tests.partners.factories import PartnerFactory
from tests.support.factories import SupportRequestFactory

pytestmark = pytest.mark.django_db


def partner(
    code,
    kind=PartnerKind.MINISTRY,
    *,
    programmes=(),
    regions=(),
    departments=(),
    ministries=(),
    **fields,
):
    made = PartnerFactory(code=code, name=fields.pop("name", code), kind=kind, **fields)
    made.programmes.set(programmes)
    made.regions.set(regions)
    made.departments.set(departments)
    made.ministries.set(ministries)
    return made


def request_in(department, **fields):
    ddi = DDI.objects.filter(department=department).first() or DDIFactory(department=department)
    return SupportRequestFactory(requester=UserFactory(ddi=ddi), **fields)


@pytest.fixture
def world():
    bretagne = RegionFactory(code="53", name="Bretagne")
    idf = RegionFactory(code="11", name="Île-de-France")
    maaprat = MinistryFactory(code="MAAPRAT", name="Agriculture")
    meddtl = MinistryFactory(code="MEDDTL", name="Écologie")
    social = MinistryFactory(code="MS", name="Ministères sociaux")
    p206 = ProgrammeFactory(code="206", ministry=maaprat)
    p215 = ProgrammeFactory(code="215", ministry=maaprat)
    p113 = ProgrammeFactory(code="113", ministry=meddtl)
    p177 = ProgrammeFactory(code="177", ministry=social)
    # The agriculture and ecology CPCM of Rennes: a joint centre, filed under the MEDDTL.
    cpcm = ServiceCentreFactory(name="CPCM de Rennes", ministry=meddtl, region=bretagne)
    cpcm.joint_ministries.set([maaprat])
    cpcm.programmes.set([p206, p215, p113])
    return {
        "bretagne": bretagne,
        "idf": idf,
        "ille_et_vilaine": DepartmentFactory(code="35", name="Ille-et-Vilaine", region=bretagne),
        "paris": DepartmentFactory(code="75", name="Paris", region=idf),
        "hauts_de_seine": DepartmentFactory(code="92", name="Hauts-de-Seine", region=idf),
        "yvelines": DepartmentFactory(code="78", name="Yvelines", region=idf),
        "maaprat": maaprat,
        "meddtl": meddtl,
        "p206": p206,
        "p215": p215,
        "p113": p113,
        "p177": p177,
        "cpcm": cpcm,
    }


@pytest.fixture
def partners(world):
    return {
        "maaprat": partner(
            "equipe-chorus-maaprat",
            name="Équipe Chorus du MAAPRAT",
            programmes=[world["p206"], world["p215"]],
            ministries=[world["maaprat"]],
        ),
        "meddtl": partner(
            "equipe-chorus-meddtl",
            name="Équipe Chorus du MEDDTL",
            programmes=[world["p113"]],
            ministries=[world["meddtl"]],
        ),
        "cpcm": partner(
            "cpcm-rennes",
            PartnerKind.CSP,
            name="CPCM de Rennes",
            service_centre=world["cpcm"],
            regions=[world["bretagne"]],
            ministries=[world["meddtl"], world["maaprat"]],
        ),
        "aife": partner("aife", PartnerKind.AIFE, name="AIFE"),
        "drfip_bretagne": partner(
            "drfip-bretagne",
            PartnerKind.ACCOUNTING,
            name="DRFiP de Bretagne",
            regions=[world["bretagne"]],
            chorus_objects=["dp", "tiers"],
        ),
        "drfip_idf": partner(
            "drfip-idf",
            PartnerKind.ACCOUNTING,
            name="DRFiP d'Île-de-France",
            regions=[world["idf"]],
            chorus_objects=["dp"],
        ),
        "drihl": partner(
            "drihl",
            PartnerKind.OTHER,
            name="DRIHL",
            programmes=[world["p177"]],
            departments=[world["paris"], world["hauts_de_seine"]],
        ),
        "retired": partner(
            "ancienne-equipe",
            name="Ancienne équipe",
            programmes=[world["p206"]],
            active=False,
        ),
    }


def codes(suggestions):
    return [suggestion.partner.code for suggestion in suggestions]


def test_a_request_of_a_joint_cpcm_suggests_its_csp_then_the_programmes_ministry(world, partners):
    request = request_in(
        world["ille_et_vilaine"],
        programme=world["p206"],
        service_centre=world["cpcm"],
        chorus_object=ChorusObject.DP,
    )
    suggestions = partner_suggestions(request)
    # The MEDDTL's team is ruled out: programme 206 is the MAAPRAT's, even through a
    # centre filed under the MEDDTL. The AIFE (no scope) matches nothing specific.
    assert codes(suggestions) == ["cpcm-rennes", "equipe-chorus-maaprat", "drfip-bretagne"]
    reasons = {s.partner.code: s.reasons for s in suggestions}
    assert reasons["cpcm-rennes"] == ("CSP de la demande", "région Bretagne")
    assert reasons["equipe-chorus-maaprat"] == ("programme 206", "ministère MAAPRAT")
    assert reasons["drfip-bretagne"] == ("objet DP", "région Bretagne")
    assert suggestions[1].label == "Équipe Chorus du MAAPRAT — programme 206, ministère MAAPRAT"


def test_the_joint_cpcm_files_the_escalation_under_the_programmes_ministry(world, partners):
    cpcm = partners["cpcm"]
    on_206 = request_in(world["ille_et_vilaine"], programme=world["p206"])
    on_215 = request_in(world["ille_et_vilaine"], programme=world["p215"])
    on_113 = request_in(world["ille_et_vilaine"], programme=world["p113"])
    no_programme = request_in(world["ille_et_vilaine"], service_centre=world["cpcm"])
    assert escalation_ministry(cpcm, on_206) == world["maaprat"]
    assert escalation_ministry(cpcm, on_215) == world["maaprat"]
    assert escalation_ministry(cpcm, on_113) == world["meddtl"]
    assert escalation_ministry(cpcm, no_programme) == world["meddtl"]
    assert escalation_ministry(partners["maaprat"], on_113) == world["maaprat"]
    assert escalation_ministry(partners["aife"], on_206) is None


def test_a_specific_match_ranks_above_a_catch_all(world, partners):
    national = partner(
        "comptable-national", PartnerKind.ACCOUNTING, name="Comptable national", chorus_objects=[]
    )
    request = request_in(world["ille_et_vilaine"], chorus_object=ChorusObject.DP)
    ranked = codes(ranked_partners(request))
    # The region's accounting office names the request's object and region; a partner
    # of every object and region matches without any reason, and is not suggested.
    assert ranked[0] == "drfip-bretagne"
    assert national.code not in ranked
    assert "drfip-idf" not in ranked  # another region
    assert "ancienne-equipe" not in ranked  # inactive


def test_another_csps_partner_is_ruled_out(world, partners):
    other_csp = ServiceCentreFactory(name="CSP de Lille", ministry=world["meddtl"])
    request = request_in(world["ille_et_vilaine"], service_centre=other_csp)
    assert "cpcm-rennes" not in codes(ranked_partners(request))


def test_programme_177_in_the_petite_couronne_suggests_the_drihl(world, partners):
    ProgrammeException.objects.create(
        department=world["hauts_de_seine"],
        programme=world["p177"],
        handled_by="Unités territoriales de la DRIHL",
        ddi_attached=False,
    )
    request = request_in(world["hauts_de_seine"], programme=world["p177"])
    [first, *_rest] = partner_suggestions(request)
    assert first.partner.code == "drihl"
    assert first.reasons[0] == "programme 177 géré hors DDI dans le 92"

    # In the grande couronne the DDCS runs it: the DRIHL's departments do not include it.
    elsewhere = request_in(world["yvelines"], programme=world["p177"])
    assert "drihl" not in codes(ranked_partners(elsewhere))


def test_the_reads_do_not_grow_with_the_directory(world, partners):
    request = request_in(
        world["ille_et_vilaine"], programme=world["p206"], service_centre=world["cpcm"]
    )

    def queries():
        with CaptureQueriesContext(connection) as captured:
            partner_suggestions(request)
        return len(captured)

    before = queries()
    for n in range(20):
        partner(
            f"csp-{n}",
            PartnerKind.CSP,
            service_centre=ServiceCentreFactory(ministry=world["meddtl"]),
            regions=[world["bretagne"]],
            programmes=[world["p206"]],
        )
        partner(f"region-{n}", PartnerKind.ACCOUNTING, regions=[world["bretagne"]])
    assert queries() == before
