"""Report layer: what a planner takes into the exercise room.

* :mod:`sim.report.style` — one colour-blind-safe palette and projector-sized fonts for every figure;
* :mod:`sim.report.figures` — one function per figure, each returning a matplotlib ``Figure`` built from plain
  DataFrames (time series with 90% bands, distributions, objectives, comparisons, sweeps);
* :mod:`sim.report.map` — the schematic of regions, deployed layers, incursions and leakers;
* :mod:`sim.report.document` — a report as data, rendered to self-contained HTML and to Markdown;
* :mod:`sim.report.build` — :func:`~sim.report.build.write_report` for run, compare and sweep folders;
* :mod:`sim.report.reference` — regenerates the repository's reference report (``python -m sim.report.reference``);
* :mod:`sim.report.console` — terminal tables.
"""
