"""Where a report's time goes, figure by figure: run by ``bench_report.py`` in a child process for each version.

Usage (PYTHONPATH selects the version of ``sim`` measured)::

    PYTHONPATH=ROOT python benchmarks/report_parts.py RUN_DIR

Writes the report of ``RUN_DIR`` in this process and prints one JSON object: CPU seconds of this process (less
sensitive than the wall clock to other work on the machine) for the imports, the replay
the map needs, and for each figure function its drawing (building the artists), the layout check, the PNG and SVG
encodings and the palette quantising. The timers wrap functions that every version has (the figure functions of
:mod:`sim.report.figures`, :func:`sim.report.map.deployed_fire_units`, ``Figure.savefig`` and PIL's ``quantize``),
so the same script measures today's code and the working tree; figures are attributed to the function that made
them. Only meaningful for an in-process report (one worker).
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

FIGURE_MODULES = {
    "sim.report.figures.timeseries": (
        "leakers_figure",
        "stocks_figure",
        "spend_figure",
        "orders_deliveries_figure",
        "capability_figure",
    ),
    "sim.report.figures.distributions": ("distributions_figure", "objectives_figure"),
    "sim.report.figures.binding": ("binding_figure",),
    "sim.report.figures.comparisons": ("comparison_figure",),
    "sim.report.map": ("map_figure",),
}

seconds: defaultdict[str, defaultdict[str, float]] = defaultdict(lambda: defaultdict(float))
maker_of: dict[int, str] = {}
last_saved = ["?"]


def _timed(part: str, name_of: Callable[..., str], function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        result = function(*args, **kwargs)
        seconds[name_of(*args, **kwargs)][part] += time.process_time() - started
        return result

    return wrapper


def _maker(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        figure = function(*args, **kwargs)
        seconds[name]["draw"] += time.process_time() - started
        maker_of[id(figure)] = name
        return figure

    return wrapper


def _save_name(figure: Any, *args: Any, **kwargs: Any) -> str:
    name = maker_of.get(id(figure), "?")
    last_saved[0] = name
    return name


def main() -> None:
    run_dir = Path(sys.argv[1])
    started = time.process_time()
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from PIL import Image

    for module_name, functions in FIGURE_MODULES.items():
        module = importlib.import_module(module_name)
        for function in functions:
            if hasattr(module, function):
                setattr(module, function, _maker(function, getattr(module, function)))
    from sim.report import map as schematic
    from sim.report.figures import layout

    schematic.deployed_fire_units = _timed("replay", lambda *a, **k: "map replay", schematic.deployed_fire_units)
    layout.text_problems = _timed("check", lambda figure: maker_of.get(id(figure), "?"), layout.text_problems)
    original_savefig = Figure.savefig

    def savefig(figure: Any, target: Any, *args: Any, **kwargs: Any) -> Any:
        fmt = kwargs.get("format") or Path(str(target)).suffix.lstrip(".")
        began = time.process_time()
        result = original_savefig(figure, target, *args, **kwargs)
        seconds[_save_name(figure)][fmt] += time.process_time() - began
        return result

    Figure.savefig = savefig  # type: ignore[method-assign,assignment]
    if hasattr(Figure, "draw_without_rendering"):
        Figure.draw_without_rendering = _timed(  # type: ignore[method-assign]
            "layout", lambda figure: maker_of.get(id(figure), "?"), Figure.draw_without_rendering
        )
    Image.Image.quantize = _timed("quantise", lambda *a, **k: last_saved[0], Image.Image.quantize)  # type: ignore[method-assign]
    import sim.report.build as build
    from sim.report import figure_blocks

    if hasattr(figure_blocks, "text_problems"):
        figure_blocks.text_problems = layout.text_problems
    imported = time.process_time() - started
    began = time.process_time()
    build.write_report(run_dir)
    total = time.process_time() - began
    print(json.dumps({"imports": imported, "report": total, "parts": seconds}))


if __name__ == "__main__":
    main()
