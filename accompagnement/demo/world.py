"""What the demo requests are drawn from: the DDIs with their weights, the team, the
categories, read once from the database."""

from dataclasses import dataclass
from itertools import accumulate


def _cumulative(weights) -> list[float]:
    return list(accumulate(weights))


@dataclass
class DdiInfo:
    pk: int
    acronym: str
    agents: list[int]
    demo_agent: int | None
    # (programme id, programme code, ministry id, CSP id, CSP name)
    attachments: list[tuple[int, str, int, int, str]]
    # Whose local public holidays the SLA clock keeps (`sla.holiday_subdivision`).
    subdivision: str | None = None


@dataclass
class TeamInfo:
    pk: int
    name: str
    time_share: int
    ministry_id: int | None
    programme_ids: frozenset[int]


@dataclass
class World:
    ddis: list[DdiInfo]
    ddi_cumulative: list[float]
    categories: list[tuple[int, str, str]]  # pk, axis, code
    team: list[TeamInfo]
    team_cumulative: list[float]
    pilot: TeamInfo
    ministries: dict[int, str]
    service_centre_names: dict[int, str]
