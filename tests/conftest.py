"""Shared test set-up."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sim.commands import common


@pytest.fixture(autouse=True)
def consoles_follow_the_environment() -> Iterator[None]:
    """Let the CLI's consoles read ``COLUMNS`` when they print, as a fresh ``sim`` process does.

    Rich fixes a console's width when ``COLUMNS`` is set at construction (pytest-xdist workers set it), so
    a test that invokes the CLI with a wide ``COLUMNS`` would otherwise print at the width of whichever
    environment imported ``sim.commands.common`` first.
    """
    saved = [(console, console._width) for console in (common.out, common.err)]
    for console, _ in saved:
        console._width = None
    yield
    for console, width in saved:
        console._width = width


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip ``exhaustive`` tests (thousands of examples and mutants) unless ``-m`` names them."""
    if "exhaustive" in (config.option.markexpr or ""):
        return
    skip = pytest.mark.skip(reason="exhaustive: run with -m exhaustive")
    for item in items:
        if "exhaustive" in item.keywords:
            item.add_marker(skip)
