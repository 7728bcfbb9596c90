"""The ``sim`` command line: parse, call the library, print. No modelling happens here.

Each command lives in a module of ``sim.commands``; this module registers them. Every command turns bad
input into a located message and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import typer

from sim.commands import experiments
from sim.commands import play as play_commands
from sim.commands import report as report_commands
from sim.commands import run as run_commands
from sim.commands import scenario as scenario_commands

app = typer.Typer(
    name="sim",
    help="European air- and drone-defence scenario simulator: validate, run, compare, sweep, report, play.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

app.command()(scenario_commands.validate)
app.command()(scenario_commands.schema)
app.command()(scenario_commands.sources)
app.command()(run_commands.run)
app.command()(run_commands.policies)
app.command()(run_commands.metrics)
app.command()(experiments.compare)
app.command()(experiments.sweep)
app.command()(report_commands.report)
app.command()(run_commands.docs)
app.command()(play_commands.play)
app.command()(play_commands.replay)
app.command()(play_commands.aar)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
