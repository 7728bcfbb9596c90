"""The whole scenario: metadata, sources, catalog, actors, industry, events, objectives and hypotheses.

:class:`Scenario` is what :func:`sim.scenario.loader.load_scenario` returns: typed, validated and frozen.
Checks that span sections (a kill probability naming an unknown threat, an event naming an unknown state)
live in :mod:`sim.scenario.references`, so every such problem can be reported with its file position.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StrictFloat, StrictInt, WithJsonSchema

from sim.scenario.actors import Actors
from sim.scenario.catalog import Catalog, Frozen
from sim.scenario.events import Event
from sim.scenario.hypotheses import Hypothesis, MinDifferenceSetting
from sim.scenario.industry import Industry
from sim.scenario.parameters import MAX_HORIZON_DAYS, Bounds, refuse_number
from sim.scenario.text import Name, Text

MAX_REPLICATIONS = 10_000
"""Most replications a scenario may ask for: 10,000 already pin a 90 % interval to about 1 % of a standard
deviation; more only costs hours (about 1 s a replication-year on one core)."""
MAX_SEED = 2**63 - 1
"""Largest base seed: it is written to 64-bit integer columns of the results."""
MAX_THRESHOLD = 1e15
"""Largest objective threshold in magnitude: no metric (EUR million, counts, ratios) comes near it."""
EARLIEST_START = dt.date(1900, 1, 1)
LATEST_START = dt.date(2100, 12, 31)
"""Start dates lie in 1900–2100: reports draw dates on a calendar axis, and the model's world is today's."""

HORIZON = Bounds("horizon", None, MAX_HORIZON_DAYS, "days is ten years", whole=True)
CADENCE = Bounds("cadence", None, MAX_HORIZON_DAYS, "days is the longest horizon", whole=True)
SEED = Bounds("seed", None, MAX_SEED, "is the largest 64-bit integer", whole=True)
REPLICATIONS = Bounds(
    "number of replications",
    None,
    MAX_REPLICATIONS,
    "replications already pin a 90 % interval to about 1 % of a standard deviation",
    whole=True,
)
THRESHOLD = Bounds("threshold", -MAX_THRESHOLD, MAX_THRESHOLD, "is beyond any metric's reach")


def _start_date_in_range(day: dt.date) -> dt.date:
    if not EARLIEST_START <= day <= LATEST_START:
        raise refuse_number(
            f"start date {day.isoformat()} is outside {EARLIEST_START.year}–{LATEST_START.year}",
            f"a date from {EARLIEST_START.isoformat()} to {LATEST_START.isoformat()}",
        )
    return day


StartDate = Annotated[
    dt.date,
    AfterValidator(_start_date_in_range),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            "pattern": r"^(19[0-9]{2}|20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$",
            "description": "A date from 1900-01-01 to 2100-12-31 (YYYY-MM-DD).",
        }
    ),
]
"""A scenario's first day, within 1900–2100."""


class Source(Frozen):
    """A piece of evidence parameters cite."""

    id: Name = Field(description="Short id parameters cite in `source:`.")
    title: Text
    outlet: Text
    date: dt.date | Text = Field(description="Publication date (YYYY-MM-DD, or a month/year as written).")
    article_file: Text | None = Field(default=None, description="File under shared/articles, if it is one.")
    url: Text | None = None


class Cadence(Frozen):
    """How often the slower decisions are taken (raids and engagements are nightly)."""

    allocation_days: Annotated[StrictInt, CADENCE] = Field(
        default=7, ge=1, description="Days between allocation decisions."
    )
    procurement_days: Annotated[StrictInt, CADENCE] = Field(
        default=30, ge=1, description="Days between procurement reviews."
    )


class Objective(Frozen):
    """An exercise objective: a metric, a threshold and a direction."""

    name: Name
    metric: str = Field(description="Name of an outcome metric (see `sim metrics`).")
    threshold: Annotated[StrictFloat, THRESHOLD]
    direction: Literal[">=", "<="] = ">="
    description: Text = ""


class Scenario(Frozen):
    """A complete, validated scenario."""

    extends: str | None = Field(default=None, description="Path of a scenario this one overrides (relative).")
    name: Name = Field(description="The scenario's name: it names run folders and labels tables.")
    description: Text
    start_date: StartDate
    horizon_days: Annotated[StrictInt, HORIZON] = Field(ge=1, description="Days simulated (one step = one day).")
    seed: Annotated[StrictInt, SEED] = Field(ge=0, description="Base seed; replication seeds derive from it.")
    replications: Annotated[StrictInt, REPLICATIONS] = Field(
        default=20, ge=1, description="Default number of seeded replications."
    )
    cadence: Cadence = Field(default_factory=Cadence)
    sources: list[Source] = Field(default_factory=list)
    catalog: Catalog
    actors: Actors
    industry: Industry
    events: list[Event] = Field(default_factory=list)
    objectives: list[Objective] = Field(default_factory=list)
    min_differences: dict[str, MinDifferenceSetting] = Field(
        default_factory=dict,
        description="Smallest difference that matters, by metric (or family) name; overrides the registry's.",
    )
    hypotheses: list[Hypothesis] = Field(
        default_factory=list, description="What this scenario expects against another; judged by `sim compare`."
    )

    def region_names(self) -> list[str]:
        """Every defended region: member-state codes, then Ukraine's regions."""
        return list(self.actors.member_states) + [region.name for region in self.actors.ukraine.regions]
