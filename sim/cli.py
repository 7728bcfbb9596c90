"""The ``sim`` command line: parse, call the library, print. No modelling happens here.

Each command lives in a module of ``sim.commands``; this module registers them. Every command turns bad
input into a located message and a non-zero exit code, never a traceback: anything a command does not expect
is caught by :func:`sim.commands.safety.guard_command`, which writes the traceback to a file and prints one line
(``sim --debug`` shows the traceback instead).

Loading this module (and so ``sim --help``) stays fast: the command modules import pandas, the model, the
experiment layer and the reports inside the commands that need them, never at the top
(``tests/test_cli_startup.py`` checks it; ``benchmarks/cli_startup.py`` measures it).
"""

from __future__ import annotations

from typing import Annotated

import typer

from sim.commands import app as app_commands
from sim.commands import experiments
from sim.commands import play as play_commands
from sim.commands import report as report_commands
from sim.commands import run as run_commands
from sim.commands import scenario as scenario_commands
from sim.commands.safety import guard_command, set_debug

app = typer.Typer(
    name="sim",
    help="European air- and drone-defence scenario simulator: validate, run, compare, sweep, report, play.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def options(
    debug: Annotated[
        bool,
        typer.Option("--debug", help="Show the traceback of an unexpected error (it is otherwise saved to a file)."),
    ] = False,
) -> None:
    """European air- and drone-defence scenario simulator: validate, run, compare, sweep, report, play."""
    set_debug(debug)


app.command()(guard_command(scenario_commands.validate))
app.command()(guard_command(scenario_commands.schema))
app.command()(guard_command(scenario_commands.sources))
app.command()(guard_command(run_commands.run))
app.command()(guard_command(run_commands.policies))
app.command()(guard_command(run_commands.metrics))
app.command()(guard_command(experiments.compare))
app.command()(guard_command(experiments.sweep))
app.command()(guard_command(report_commands.report))
app.command()(guard_command(run_commands.docs))
app.command()(guard_command(play_commands.play))
app.command()(guard_command(play_commands.replay))
app.command()(guard_command(play_commands.aar))
app.command(name="app")(guard_command(app_commands.app))


def main() -> None:
    """Console-script entry point (also ``python -m sim``): the commands, with the guard around them too."""
    guard_command(app)()


if __name__ == "__main__":
    main()
