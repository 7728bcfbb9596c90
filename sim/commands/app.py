"""``sim app``: start the students' web app (needs the optional ``[app]`` extra)."""

from __future__ import annotations

import contextlib
import importlib.util
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from sim.commands.common import err, fail, out

APP_EXTRA_HINT = "pip install -e '.[app]'  (in the project folder; or: pip install 'eu-airdefence-sim[app]')"
"""How to install what the app needs, as messages print it."""

_NEEDED = ("shiny", "uvicorn")


def app(
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="Address to listen on: 127.0.0.1 (this machine only; the default) or e.g. 0.0.0.0 to share the "
            "page on a classroom network (then the URL carries an access token).",
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port to listen on (default: a free one).")] = 0,
    results_root: Annotated[
        Path, typer.Option("--out", help="Folder in which each run's folder is made (as `sim run --out`).")
    ] = Path("results"),
    workers: Annotated[
        int | None,
        typer.Option("--workers", "-w", min=1, help="Worker processes for runs (default and most: one per core)."),
    ] = None,
) -> None:
    """Start the web app: pick or upload a scenario, move sliders, run, compare, explore a sweep."""
    missing = [name for name in _NEEDED if importlib.util.find_spec(name) is None]
    if missing:
        fail(
            f"the web app needs the optional [app] extra ({', '.join(missing)} not installed); install it with: "
            f"{escape(APP_EXTRA_HINT)}"
        )
    from sim.app.server import AppServerError, is_loopback, listen, serve

    try:
        listener = listen(host, port)
    except AppServerError as error:
        fail(escape(str(error)))
    if not is_loopback(host):
        err.print(
            f"[bold yellow]warning:[/] listening on {escape(host)}: anyone on that network who has the URL "
            "(with its token) can use the app and start runs on this machine. Share the URL only with the room.",
        )
    out.print(f"sim app: open {listener.url}  (Ctrl-C stops it)", markup=False)
    if not is_loopback(host):
        room = listener.room_urls()
        if room:
            out.print("sim app: from the room's other machines, open one of:", markup=False)
            for url in room:
                out.print(f"  {url}", markup=False)
        else:
            out.print(
                "sim app: no network address of this machine was found; from the room's other machines, open "
                f"http://<this machine's address>:{listener.port}/?token={listener.token}",
                markup=False,
            )
    with contextlib.suppress(KeyboardInterrupt):
        serve(listener, results_root, workers)
    out.print("sim app: stopped", markup=False)
