"""The audience rule (`accompagnement.audience`), once, on small hand-built reference data:
an empty criterion means "all", every criterion filled in holds (AND across criteria), by any
of its values (OR within one); in SQL (`ddis_in`, `meant_for`) and in memory (`reaches`)
alike; and the descriptions.

Runs on SQLite and PostgreSQL (the JSON lists are matched exactly on both):
`DATABASE_URL=postgres://… pytest tests/test_audience.py`.
"""

from dataclasses import FrozenInstanceError
from types import SimpleNamespace

import pytest

from accompagnement.audience import (
    Audience,
    AudienceFields,
    Member,
    ddi_profile,
    ddi_profiles,
    ddis_in,
    describe,
    meant_for,
    reaches,
)
from accompagnement.campaigns.models import Milestone
from accompagnement.interventions.models import Intervention
from accompagnement.knowledge.models import Article
from ddi.enums import DDIKind
from ddi.models import DDI, ProgrammeUse
from tests.campaigns.factories import MilestoneFactory
from tests.ddi.factories import (
    AttachmentFactory,
    DDIFactory,
    DepartmentFactory,
    ProgrammeFactory,
    RegionFactory,
    ServiceCentreFactory,
)
from tests.interventions.factories import InterventionFactory
from tests.knowledge.factories import ArticleFactory

pytestmark = pytest.mark.django_db

# How the three domains store their audience (the same as theirs, written out here).
MILESTONES = AudienceFields(
    kinds="ddi_kinds", programmes="programmes", service_centres="service_centres"
)
SESSIONS = AudienceFields(kinds="ddi_kinds", regions="regions", programmes="programmes")
ARTICLES = AudienceFields(kinds="ddi_kinds", programmes="programmes", programmes_used_by_kind=True)


@pytest.fixture
def ref():
    """Two regions, three departments, three programmes, two CSPs and five DDIs:

    - DDT 22 (Bretagne): P207 served by CPCM Bretagne;
    - DDTM 29 (Bretagne): P207 served by CSP Ouest, P113 by CPCM Bretagne;
    - DDPP 14 (Normandie): P206 served by CSP Ouest;
    - DDCS 22 (Bretagne): attached to no CSP;
    - DDTM 14 (Normandie): P113 served by CPCM Bretagne.

    The DDT and DDTM kinds use P207, the DDPP P206 (`ProgrammeUse`).
    """
    bretagne = RegionFactory(code="53", name="Bretagne")
    normandie = RegionFactory(code="28", name="Normandie")
    d22 = DepartmentFactory(code="22", name="Côtes-d'Armor", region=bretagne)
    d29 = DepartmentFactory(code="29", name="Finistère", region=bretagne)
    d14 = DepartmentFactory(code="14", name="Calvados", region=normandie)
    p206, p207, p113 = (ProgrammeFactory(code=code) for code in ("206", "207", "113"))
    cpcm = ServiceCentreFactory(name="CPCM Bretagne")
    ouest = ServiceCentreFactory(name="CSP Ouest")
    ddt22 = DDIFactory(kind=DDIKind.DDT, department=d22)
    ddtm29 = DDIFactory(kind=DDIKind.DDTM, department=d29)
    ddpp14 = DDIFactory(kind=DDIKind.DDPP, department=d14)
    ddcs22 = DDIFactory(kind=DDIKind.DDCS, department=d22)
    ddtm14 = DDIFactory(kind=DDIKind.DDTM, department=d14)
    AttachmentFactory(ddi=ddt22, programme=p207, service_centre=cpcm)
    AttachmentFactory(ddi=ddtm29, programme=p207, service_centre=ouest)
    AttachmentFactory(ddi=ddtm29, programme=p113, service_centre=cpcm)
    AttachmentFactory(ddi=ddpp14, programme=p206, service_centre=ouest)
    AttachmentFactory(ddi=ddtm14, programme=p113, service_centre=cpcm)
    for kind, programme in ((DDIKind.DDT, p207), (DDIKind.DDTM, p207), (DDIKind.DDPP, p206)):
        ProgrammeUse.objects.create(ddi_kind=kind, programme=programme)
    return SimpleNamespace(**locals())


def _reached(audience: Audience) -> set[int]:
    """The DDIs reached, after checking that SQL and memory agree."""
    in_sql = set(ddis_in(audience).values_list("pk", flat=True))
    in_memory = {p.id for p in ddi_profiles(kind_programmes=True) if reaches(audience, p)}
    assert in_sql == in_memory
    return in_sql


def _ids(*ddis) -> set[int]:
    return {ddi.pk for ddi in ddis}


# ---------------------------------------------------------------------------- the rule


def test_an_empty_audience_reaches_every_ddi(ref):
    assert _reached(Audience()) == _ids(ref.ddt22, ref.ddtm29, ref.ddpp14, ref.ddcs22, ref.ddtm14)


def test_by_kind_a_ddt_is_no_ddtm(ref):
    assert _reached(Audience.targeting(kinds=["DDT"])) == _ids(ref.ddt22)
    assert _reached(Audience.targeting(kinds=["DDTM"])) == _ids(ref.ddtm29, ref.ddtm14)
    assert _reached(Audience.targeting(kinds=["DDCSPP"])) == set()


def test_by_region(ref):
    assert _reached(Audience.targeting(regions=[ref.normandie])) == _ids(ref.ddpp14, ref.ddtm14)


def test_by_department(ref):
    assert _reached(Audience.targeting(departments=[ref.d22])) == _ids(ref.ddt22, ref.ddcs22)


def test_by_programme_attached_for(ref):
    assert _reached(Audience.targeting(programmes=[ref.p207])) == _ids(ref.ddt22, ref.ddtm29)


def test_by_programme_its_kind_uses(ref):
    """The knowledge base's reading of programmes: the DDTM 14 uses P207 (its kind does)
    without being attached for it."""
    audience = Audience.targeting(programmes=[ref.p207], programmes_used_by_kind=True)
    assert _reached(audience) == _ids(ref.ddt22, ref.ddtm29, ref.ddtm14)


def test_by_service_centre(ref):
    reached = _reached(Audience.targeting(service_centres=[ref.cpcm]))
    assert reached == _ids(ref.ddt22, ref.ddtm29, ref.ddtm14)


def test_or_within_a_criterion(ref):
    assert _reached(Audience.targeting(kinds=["DDT", "DDPP"])) == _ids(ref.ddt22, ref.ddpp14)
    reached = _reached(Audience.targeting(programmes=[ref.p206, ref.p113]))
    assert reached == _ids(ref.ddtm29, ref.ddpp14, ref.ddtm14)


def test_and_across_criteria(ref):
    assert _reached(Audience.targeting(kinds=["DDTM"], regions=[ref.bretagne])) == _ids(ref.ddtm29)
    both = Audience.targeting(
        kinds=["DDT", "DDTM", "DDPP"], programmes=[ref.p207, ref.p206], service_centres=[ref.ouest]
    )
    assert _reached(both) == _ids(ref.ddtm29, ref.ddpp14)
    assert _reached(Audience.targeting(departments=[ref.d14], regions=[ref.bretagne])) == set()


def test_programmes_and_csps_hold_each_on_any_attachment(ref):
    """The DDTM 29 is attached for P113 and served by CSP Ouest for P207: it is reached by
    (P113, CSP Ouest), the two criteria being read independently."""
    audience = Audience.targeting(programmes=[ref.p113], service_centres=[ref.ouest])
    assert _reached(audience) == _ids(ref.ddtm29)


def test_a_ddi_attached_to_no_csp(ref):
    profile = ddi_profile(ref.ddcs22.pk)
    assert profile.programme_ids == frozenset() and profile.service_centre_ids == frozenset()
    assert reaches(Audience.targeting(kinds=["DDCS"], regions=[ref.bretagne]), profile)
    assert not reaches(Audience.targeting(programmes=[ref.p207]), profile)
    assert not reaches(Audience.targeting(service_centres=[ref.cpcm, ref.ouest]), profile)


# ---------------------------------------------------------------------------- profiles


def test_a_profile_is_read_once(ref, django_assert_num_queries):
    with django_assert_num_queries(1):
        profile = ddi_profile(ref.ddtm29.pk)
    assert (profile.kind, profile.region_id, profile.department_id) == (
        "DDTM",
        ref.bretagne.pk,
        ref.d29.pk,
    )
    assert profile.programme_ids == {ref.p207.pk, ref.p113.pk}
    assert profile.service_centre_ids == {ref.cpcm.pk, ref.ouest.pk}
    assert profile.kind_programme_ids is None
    with django_assert_num_queries(1):
        assert len(ddi_profiles()) == 5
    with django_assert_num_queries(2):
        assert ddi_profile(ref.ddtm14.pk, kind_programmes=True).kind_programme_ids == {ref.p207.pk}
    assert ddi_profile(0) is None


def test_programmes_its_kind_uses_need_them_read(ref):
    audience = Audience.targeting(programmes=[ref.p207], programmes_used_by_kind=True)
    with pytest.raises(ValueError):
        reaches(audience, ddi_profile(ref.ddt22.pk))


# ---------------------------------------------------------------------------- the value


def test_an_audience_is_an_immutable_value(ref):
    audience = Audience.targeting(kinds=["DDT"], programmes=[ref.p207])
    assert audience == Audience(kinds=("DDT",), programmes=(Member(ref.p207.pk, "207"),))
    assert hash(audience) == hash(Audience.targeting(kinds=("DDT",), programmes=[ref.p207]))
    with pytest.raises(FrozenInstanceError):
        audience.kinds = ()


def test_built_from_prefetched_relations_without_a_query(ref, django_assert_num_queries):
    MilestoneFactory(
        ddi_kinds=["DDT", "DDTM"], programmes=[ref.p207], service_centres=[ref.cpcm, ref.ouest]
    )
    milestone = Milestone.objects.prefetch_related("programmes", "service_centres").get()
    with django_assert_num_queries(0):
        audience = Audience.of(milestone, MILESTONES)
    assert audience == Audience.targeting(
        kinds=["DDT", "DDTM"], programmes=[ref.p207], service_centres=[ref.cpcm, ref.ouest]
    )


def test_built_from_json_lists_of_ids(ref):
    stored = SimpleNamespace(ddi_kinds=["DDT"], departments=[ref.d29.pk, ref.d22.pk])
    audience = Audience.of(stored, AudienceFields(departments="departments"))
    assert audience == Audience.targeting(kinds=["DDT"], departments=[ref.d22, ref.d29])
    assert Audience.of(SimpleNamespace(ddi_kinds=[]), AudienceFields()) == Audience()


# ---------------------------------------------------------------------------- a domain's items


def _meant_for_each_ddi(queryset, fields, prefetched):
    """For every DDI, `meant_for` (given a profile, then the DDI itself) keeps the items
    `reaches` says concern it."""
    items = list(prefetched)
    for profile in ddi_profiles(kind_programmes=True):
        expected = {item.pk for item in items if reaches(Audience.of(item, fields), profile)}
        assert set(meant_for(queryset, fields, profile).values_list("pk", flat=True)) == expected
        ddi = DDI.objects.get(pk=profile.id)
        assert set(meant_for(queryset, fields, ddi).values_list("pk", flat=True)) == expected


def test_milestones_meant_for_a_ddi(ref):
    everyone = MilestoneFactory()
    ddt = MilestoneFactory(ddi_kinds=["DDT"])
    ddtm = MilestoneFactory(ddi_kinds=["DDTM"])
    p113 = MilestoneFactory(programmes=[ref.p113])
    ouest = MilestoneFactory(ddi_kinds=["DDTM", "DDPP"], service_centres=[ref.ouest])
    queryset = Milestone.objects.all()
    _meant_for_each_ddi(
        queryset, MILESTONES, queryset.prefetch_related("programmes", "service_centres")
    )
    kept = set(meant_for(queryset, MILESTONES, ddi_profile(ref.ddt22.pk)))
    assert kept == {everyone, ddt}
    kept = set(meant_for(queryset, MILESTONES, ddi_profile(ref.ddtm29.pk)))
    assert kept == {everyone, ddtm, p113, ouest}
    assert set(meant_for(queryset, MILESTONES, ref.ddcs22)) == {everyone}


def test_sessions_meant_for_a_ddi(ref):
    everyone = InterventionFactory()
    for_bretagne = InterventionFactory()
    for_bretagne.regions.set([ref.bretagne])
    for_ddtm_in_normandie = InterventionFactory(ddi_kinds=["DDTM"])
    for_ddtm_in_normandie.regions.set([ref.normandie])
    on_p206 = InterventionFactory()
    on_p206.programmes.set([ref.p206])
    queryset = Intervention.objects.all()
    _meant_for_each_ddi(queryset, SESSIONS, queryset.prefetch_related("regions", "programmes"))
    assert set(meant_for(queryset, SESSIONS, ref.ddtm14)) == {everyone, for_ddtm_in_normandie}
    assert set(meant_for(queryset, SESSIONS, ref.ddpp14)) == {everyone, on_p206}
    assert set(meant_for(queryset, SESSIONS, ref.ddcs22)) == {everyone, for_bretagne}


def test_articles_meant_for_a_ddi(ref):
    """Exact kinds (DDT is no DDTM), programmes read through the kind's uses."""
    everyone = ArticleFactory()
    ddt = ArticleFactory(ddi_kinds=["DDT"])
    ddtm = ArticleFactory(ddi_kinds=["DDTM", "DDPP"])
    on_p207 = ArticleFactory()
    on_p207.programmes.set([ref.p207])
    on_p113 = ArticleFactory()
    on_p113.programmes.set([ref.p113])
    queryset = Article.objects.all()
    _meant_for_each_ddi(queryset, ARTICLES, queryset.prefetch_related("programmes"))
    assert set(meant_for(queryset, ARTICLES, ref.ddt22)) == {everyone, ddt, on_p207}
    # Attached for P113 but its kind uses only P207.
    assert set(meant_for(queryset, ARTICLES, ref.ddtm29)) == {everyone, ddtm, on_p207}
    assert set(meant_for(queryset, ARTICLES, ref.ddcs22)) == {everyone}


def test_a_json_list_of_ids(ref):
    """A criterion kept as a JSON list of ids, matched exactly: `reminder_offsets` (a JSON
    list of numbers) stands in for a list of department ids."""
    fields = AudienceFields(kinds=None, departments="reminder_offsets")
    everyone = MilestoneFactory(reminder_offsets=[])
    in_22 = MilestoneFactory(reminder_offsets=[ref.d22.pk])
    in_22_or_14 = MilestoneFactory(reminder_offsets=[ref.d14.pk, ref.d22.pk])
    queryset = Milestone.objects.all()
    _meant_for_each_ddi(queryset, fields, queryset)
    assert set(meant_for(queryset, fields, ref.ddpp14)) == {everyone, in_22_or_14}
    assert set(meant_for(queryset, fields, ref.ddcs22)) == {everyone, in_22, in_22_or_14}


def test_filtering_costs_no_query_of_its_own(ref, django_assert_num_queries):
    """The DDI's attachments and its kind's programmes are subqueries: one query, the
    items'."""
    ArticleFactory(ddi_kinds=["DDT"]).programmes.set([ref.p207])
    MilestoneFactory(programmes=[ref.p207], service_centres=[ref.cpcm])
    profile = ddi_profile(ref.ddt22.pk)
    with django_assert_num_queries(1):
        assert len(meant_for(Article.objects.all(), ARTICLES, ref.ddt22)) == 1
    with django_assert_num_queries(1):
        assert len(meant_for(Milestone.objects.all(), MILESTONES, ref.ddt22)) == 1
    with django_assert_num_queries(1):
        assert len(meant_for(Milestone.objects.all(), MILESTONES, profile)) == 1


# ---------------------------------------------------------------------------- in words


def test_everyone_is_described_as_every_ddi():
    assert describe(Audience()) == "Toutes les DDI"
    assert describe(Audience(), singular_programme=False) == "Toutes les DDI"


def test_the_calendars_description(ref):
    audience = Audience.targeting(
        kinds=["DDT", "DDTM"], programmes=[ref.p207], service_centres=[ref.cpcm]
    )
    assert describe(audience) == "DDT, DDTM · programme 207 · servies par CPCM Bretagne"
    two = Audience.targeting(programmes=[ref.p113, ref.p207], service_centres=[ref.cpcm, ref.ouest])
    assert describe(two) == "programmes 113, 207 · servies par CPCM Bretagne, CSP Ouest"


def test_the_sessions_description(ref):
    audience = Audience.targeting(
        kinds=["DDPP"], regions=[ref.bretagne, ref.normandie], programmes=[ref.p206]
    )
    described = describe(audience, singular_programme=False)
    assert described == "DDPP · Bretagne, Normandie · programmes 206"
    # The calendar's way would say "programme 206".
    assert describe(audience) == "DDPP · Bretagne, Normandie · programme 206"


def test_departments_are_described_by_code(ref):
    assert describe(Audience.targeting(departments=[ref.d22])) == "département 22"
    assert describe(Audience.targeting(departments=[ref.d22, ref.d29])) == "départements 22, 29"
