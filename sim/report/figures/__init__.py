"""The report's figures, by family: one function per figure, each built from plain DataFrames and returned.

* :mod:`~sim.report.figures.timeseries` — daily series with 90% bands (leakers, stocks, spend, orders, targets);
* :mod:`~sim.report.figures.distributions` — outcomes over the replications, and objectives' probabilities;
* :mod:`~sim.report.figures.comparisons` — paired differences from a comparison's baseline;
* :mod:`~sim.report.figures.sweeps` — tornado chart, sensitivity indices, outcome against parameter;
* :mod:`~sim.report.figures.axes` — what their axes share; :mod:`~sim.report.figures.saving` — PNG and SVG files.

The map schematic is :mod:`sim.report.map`; the numbers the figures draw (bands, swings, verdicts) are computed in
:mod:`sim.analysis`. Every function takes the tables a run folder holds (per-replication metrics, the long daily
time series, a comparison table, sweep points and indices) and returns a :class:`matplotlib.figure.Figure` drawn
in the report style (:mod:`sim.report.style`); nothing is written until
:func:`~sim.report.figures.saving.save_figure`. Tests open the returned figure and check its panels, lines, bands
and labels.

Conventions shared by all figures:

* A line is the **mean over replications**; the shaded band around it holds **90% of the replications**
  (5th to 95th percentile, day by day). With one scenario, lines are series (e.g. orders and deliveries);
  with several scenarios (a comparison), lines are scenarios and each series gets its own panel.
* Every axis says what it measures and its unit; shares are drawn in percent, differences of shares in
  percentage points.
* Time runs in calendar dates when the scenario's start date is known, otherwise in days.
"""
