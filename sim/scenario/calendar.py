"""The model's calendar: a year of 365 days and a month of 30, for every layer.

Scenario figures are given per year (budgets, aid, funding) or per month (production, incursions, trends);
the model runs one step a day and converts them with these constants. Day ``d`` falls in budget year
``d // DAYS_PER_YEAR``: budget years count from the scenario's start date (the baseline's run 1 September to
31 August), not from 1 January, and a horizon of several years (the baseline's runs through 2028) simply has
several of them; yearly rates (budgets, aid, funding, growth) apply in each. The module lives in the scenario
layer, which imports nothing of ours, so that every layer may import it.
"""

from __future__ import annotations

DAYS_PER_YEAR = 365
"""Days in a model year (budget years, yearly rates)."""

DAYS_PER_MONTH = 30.0
"""Days in a model month (monthly rates: production capacity, incursions, raid trends)."""
