"""The whole scenario: metadata, sources, catalog, actors, industry, events and objectives.

:class:`Scenario` is what :func:`sim.scenario.loader.load_scenario` returns: typed, validated and frozen.
Checks that span sections (a kill probability naming an unknown threat, an event naming an unknown state)
live in :mod:`sim.scenario.references`, so every such problem can be reported with its file position.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, StrictFloat, StrictInt

from sim.scenario.actors import Actors
from sim.scenario.catalog import Catalog, Frozen
from sim.scenario.events import Event
from sim.scenario.industry import Industry


class Source(Frozen):
    """A piece of evidence parameters cite."""

    id: str = Field(description="Short id parameters cite in `source:`.")
    title: str
    outlet: str
    date: dt.date | str = Field(description="Publication date (YYYY-MM-DD, or a month/year as written).")
    article_file: str | None = Field(default=None, description="File under shared/articles, if it is one.")
    url: str | None = None


class Cadence(Frozen):
    """How often the slower decisions are taken (raids and engagements are nightly)."""

    allocation_days: StrictInt = Field(default=7, ge=1, description="Days between allocation decisions.")
    procurement_days: StrictInt = Field(default=30, ge=1, description="Days between procurement reviews.")


class Objective(Frozen):
    """An exercise objective: a metric, a threshold and a direction."""

    name: str
    metric: str = Field(description="Name of an outcome metric (see `sim metrics`).")
    threshold: StrictFloat
    direction: Literal[">=", "<="] = ">="
    description: str = ""


class Scenario(Frozen):
    """A complete, validated scenario."""

    extends: str | None = Field(default=None, description="Path of a scenario this one overrides (relative).")
    name: str
    description: str
    start_date: dt.date
    horizon_days: StrictInt = Field(ge=1, le=3650, description="Days simulated (one step = one day).")
    seed: StrictInt = Field(ge=0, description="Base seed; replication seeds derive from it.")
    replications: StrictInt = Field(default=20, ge=1, description="Default number of seeded replications.")
    cadence: Cadence = Field(default_factory=Cadence)
    sources: list[Source] = Field(default_factory=list)
    catalog: Catalog
    actors: Actors
    industry: Industry
    events: list[Event] = Field(default_factory=list)
    objectives: list[Objective] = Field(default_factory=list)

    def region_names(self) -> list[str]:
        """Every defended region: member-state codes, then Ukraine's regions."""
        return list(self.actors.member_states) + [region.name for region in self.actors.ukraine.regions]
