"""Structural guards: the calendar and the no-munition column are defined once and spelled by name in the model."""

from __future__ import annotations

import re
from pathlib import Path

from sim.scenario.calendar import DAYS_PER_MONTH, DAYS_PER_YEAR

SIM = Path(__file__).resolve().parents[1] / "sim"


def model_sources() -> dict[str, str]:
    return {
        str(path.relative_to(SIM / "model")): path.read_text(encoding="utf-8") for path in (SIM / "model").rglob("*.py")
    }


def test_calendar_constants() -> None:
    assert (DAYS_PER_YEAR, DAYS_PER_MONTH) == (365, 30.0)


def test_the_model_spells_the_calendar_by_name() -> None:
    for name, text in model_sources().items():
        assert not re.search(r"(?<![\w.])365(?![\w.])", text), f"{name}: a bare 365 (use DAYS_PER_YEAR)"
        assert not re.search(r"(?m)^\s*DAYS_PER_(MONTH|YEAR)\s*=(?!=)", text), (
            f"{name}: defines a calendar constant again"
        )


def test_the_model_names_the_no_munition_column() -> None:
    for name, text in model_sources().items():
        if name == "tables.py":  # where the column is defined
            continue
        assert "munition_names) - 1" not in text, name
        assert not re.search(r"munition(s|_names)?\[[^\]]*:-1\]", text), name
        # (the registry prints "none" defaults; "none" is also the binding-constraint ledger's "nothing bound")
        assert '"none"' not in text or name in {"policies/registry.py", "engagement/constraints.py"}, name
