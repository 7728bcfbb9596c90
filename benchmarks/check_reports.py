"""Fingerprint the reports drawn from fixed result folders, to prove that reshaping the report code changed no output.

A report is a pure function of its folder, so the proof re-draws the reports of the *same* folders before and after a
change. ``--make`` creates those folders once (a run, a comparison, a sweep and a played game of the shipped scenarios
on a short horizon, made with the command line); ``--write`` and ``--check`` copy each folder to a temporary place,
write its report there (``sim report``, or ``sim aar`` for the game) and fingerprint ``report.md``, ``report.html``,
``aar.md``, ``aar.html`` and the pixels of every PNG figure (decoded, so that a change of PNG encoding — palette
order, compression level — that leaves the picture as it was passes; SVGs carry random ids and are left out).
To fingerprint another version of the code, put its root first on ``PYTHONPATH``::

    .venv/bin/python benchmarks/check_reports.py --make /tmp/report-folders          # once, before the change
    .venv/bin/python benchmarks/check_reports.py --write /tmp/reports.json /tmp/report-folders
    .venv/bin/python benchmarks/check_reports.py --check /tmp/reports.json /tmp/report-folders   # exit 1 on a change
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from check_outputs import check_fingerprints, write_fingerprints  # a script beside this one

SHORT = ["--set", "horizon_days=60"]
COMMANDS: dict[str, list[str]] = {
    "run": ["run", "scenarios/baseline.yaml", "-n", "3", "--seed", "1", "-w", "1", "--no-report", *SHORT],
    "compare": [
        "compare",
        "scenarios/baseline.yaml",
        "scenarios/drone_wall.yaml",
        "-n",
        "3",
        "--seed",
        "1",
        "-w",
        "1",
        "--no-report",
        *SHORT,
    ],
    "sweep": [
        "sweep",
        "scenarios/baseline.yaml",
        "--method",
        "lhs",
        "--samples",
        "6",
        "--vary",
        "actors.member_states.PL.detection_probability=0.2:0.8",
        "-n",
        "2",
        "--seed",
        "1",
        "-w",
        "1",
        "--no-report",
        *SHORT,
    ],
    "game": [
        "play",
        "scenarios/baseline.yaml",
        "--decisions",
        "scenarios/decisions/example_decisions.yaml",
        "--no-interactive",
        "--no-figures",
        "--seed",
        "1",
        *SHORT,
    ],
}
REPORT_FILES = ("report.md", "report.html", "aar.md", "aar.html")


def sim(*arguments: str) -> None:
    """Run the command line in a child process; stop on failure."""
    done = subprocess.run([sys.executable, "-m", "sim", *arguments], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"sim {' '.join(arguments)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def make_folders(root: Path) -> None:
    """Create one folder per kind of report under ``root/<kind>/`` (each command makes its own dated folder)."""
    for kind, arguments in COMMANDS.items():
        target = root / kind
        target.mkdir(parents=True, exist_ok=False)
        sim(*arguments, "--out", str(target))
        print(f"made {kind}: {next(target.iterdir())}", file=sys.stderr)


def fingerprints(root: Path) -> dict[str, str]:
    """Draw each folder's report in a temporary copy and fingerprint its files."""
    found: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for kind in COMMANDS:
            (source,) = (root / kind).iterdir()
            copy = Path(scratch) / kind
            shutil.copytree(source, copy)
            if kind == "game":
                sim("aar", str(copy / "game.yaml"), "--out", str(copy))
            else:
                sim("report", str(copy))
            for path in sorted(copy.rglob("*")):
                if path.name in REPORT_FILES:
                    text = EMBEDDED_PNG.sub(_embedded_pixels, path.read_text(encoding="utf-8"))
                    found[f"{kind}/{path.relative_to(copy)}"] = hashlib.sha256(text.encode("utf-8")).hexdigest()
                elif path.suffix == ".png":
                    found[f"{kind}/{path.relative_to(copy)}"] = pixels_fingerprint(path.read_bytes())
    return found


EMBEDDED_PNG = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=]+)")
"""A figure embedded in an HTML report (replaced by its pixels' fingerprint before the page is fingerprinted)."""


def pixels_fingerprint(png: bytes) -> str:
    """A PNG's picture (size and RGBA value of every pixel), whatever its encoding."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        pixels = image.convert("RGBA")
        return hashlib.sha256(f"{pixels.size}".encode() + pixels.tobytes()).hexdigest()


def _embedded_pixels(match: re.Match[str]) -> str:
    return f"data:image/png;pixels={pixels_fingerprint(base64.b64decode(match.group(1)))}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--make", type=Path, metavar="FOLDER", help="create the result folders (once)")
    action.add_argument("--write", type=Path, metavar="JSON", help="write the reports' fingerprints to this file")
    action.add_argument("--check", type=Path, metavar="JSON", help="compare with fingerprints written earlier")
    parser.add_argument("folders", type=Path, nargs="?", help="the folder given to --make")
    args = parser.parse_args()
    if args.make:
        make_folders(args.make)
        return 0
    if args.folders is None:
        parser.error("give the folder made with --make")
    found = fingerprints(args.folders)
    if args.write:
        write_fingerprints(args.write, found)
        return 0
    return check_fingerprints(args.check, found, "report files")


if __name__ == "__main__":
    sys.exit(main())
