import pytest

from tests.accounts.factories import TeamMemberFactory, UserFactory


@pytest.fixture(autouse=True)
def _isolated_media_and_cache(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def agent(db):
    return UserFactory()


@pytest.fixture
def member(db):
    return TeamMemberFactory().user


@pytest.fixture
def pilot(db):
    return TeamMemberFactory(user=UserFactory(pilot=True), time_share=100).user


@pytest.fixture
def users_by_role(agent, member, pilot):
    return {"agent": agent, "member": member, "pilot": pilot}


@pytest.fixture(autouse=True)
def _strict_project_templates():
    import logging

    from tests.template_strictness import UndefinedVariableCollector, project_template_names

    logger = logging.getLogger("django.template")
    collector = UndefinedVariableCollector(project_template_names())
    previous = logger.level, logger.propagate
    # DEBUG records go to the collector only, not to the console.
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    logger.addHandler(collector)
    yield
    logger.removeHandler(collector)
    logger.level, logger.propagate = previous
    if collector.problems:
        pytest.fail("Undefined template variables: " + "; ".join(sorted(set(collector.problems))))
