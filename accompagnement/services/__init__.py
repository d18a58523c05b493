"""Writes: every change to the portal's data goes through a function of this package."""

from .users import PILOT_GROUP_NAME, pilot_group_sync, team_member_upsert, user_upsert

__all__ = ["PILOT_GROUP_NAME", "pilot_group_sync", "team_member_upsert", "user_upsert"]
