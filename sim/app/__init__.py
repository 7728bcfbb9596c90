"""The web app for students and the exercise room (``sim app``): move a slider, run, see what changed and why.

A page of its own (Shiny for Python) on the same engine as the command line: scenarios load through
:mod:`sim.api`, replications run through the experiment layer's runner, differences and verdicts come from the
analysis layer and figures from the report layer. Nothing imports this package; it needs the ``[app]`` extra.

Modules: :mod:`~sim.app.levers` (the controls a scenario offers), :mod:`~sim.app.jobs` (the queue of runs on one
shared process pool, and the cache), :mod:`~sim.app.results` (tables and figures of a comparison, also while it
runs), :mod:`~sim.app.sweeps` (a finished sweep's design points), :mod:`~sim.app.findings` (key findings and what
binds, from the findings generator), :mod:`~sim.app.panel` (the results panel Explore and Compare
share), :mod:`~sim.app.sweep_tab` (the Sweep tab), :mod:`~sim.app.page` (the page and each session's state) and
:mod:`~sim.app.server` (serving it, with an access token beyond loopback).
"""
