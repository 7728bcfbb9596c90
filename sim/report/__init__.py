"""Report layer: what a planner takes into the exercise room.

* :mod:`sim.report.build` — :func:`~sim.report.build.write_report`: reads a folder's kind and writes its report;
* :mod:`sim.report.run_report`, :mod:`sim.report.comparison_report`, :mod:`sim.report.sweep_report` — one module
  per kind of report (``sim run``, ``sim compare``, ``sim sweep``);
* :mod:`sim.report.sections` — sections every report shares (objectives, provenance, how to reproduce, footer);
* :mod:`sim.report.figure_blocks` — figures runs and comparisons share (over time, the map) and their saver;
* :mod:`sim.report.folder` — what a report reads from a result folder, and :class:`~sim.report.folder.ReportError`;
* :mod:`sim.report.formatting` — how numbers read in reports and terminal tables;
* :mod:`sim.report.figures` — one function per figure, each returning a matplotlib ``Figure`` built from plain
  DataFrames (time series with 90% bands, distributions, objectives, comparisons, sweeps);
* :mod:`sim.report.map` — the schematic of regions, deployed layers, incursions and leakers;
* :mod:`sim.report.style` — one colour-blind-safe palette and projector-sized fonts for every figure;
* :mod:`sim.report.document` — a report as data, rendered to self-contained HTML and to Markdown;
* :mod:`sim.report.reference` — regenerates the repository's reference report (``python -m sim.report.reference``);
* :mod:`sim.report.console` — terminal tables.
"""
