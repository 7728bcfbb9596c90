"""The screening rule (:mod:`sim.analysis.screening`) on functions whose Morris structure is known exactly.

For ``y = Σ c_j x_j`` with ``x_j`` in ``[low_j, high_j]`` every elementary effect of ``x_j`` is ``c_j (high_j −
low_j)`` (SALib's unscaled effects: the output change over the parameter's whole range), so ``mu_star`` is that
number, the bootstrap interval has zero width, and each parameter's score is its effect over the largest.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis.designs import Parameter, morris_design
from sim.analysis.screening import ScreeningRule, screen
from sim.analysis.sweep_tables import sensitivity_table
from sim.experiment.sweep_plan import ScreenChoice, SweepError, SweepSetup

# Effects over the whole range: a 8, b 2, c 0.4, d 0, e 1 (ranges differ: the effect is slope × range).
PARAMETERS = [
    Parameter("a", 0.0, 1.0),
    Parameter("b", 10.0, 20.0),
    Parameter("c", -1.0, 1.0),
    Parameter("d", 0.0, 5.0),
    Parameter("e", 100.0, 300.0),
]
SLOPES = np.array([8.0, 0.2, 0.2, 0.0, 0.005])
EFFECTS = {"a": 8.0, "b": 2.0, "c": 0.4, "d": 0.0, "e": 1.0}


def _morris_indices(outputs: dict[str, np.ndarray], design: object) -> pd.DataFrame:
    points = pd.DataFrame(outputs)
    indices, _ = sensitivity_table(design, design.points, list(outputs), points)  # type: ignore[arg-type,attr-defined]
    return indices


@pytest.fixture(scope="module")
def linear() -> pd.DataFrame:
    design = morris_design(PARAMETERS, 6, seed=3)
    return _morris_indices({"y": design.points @ SLOPES}, design)


def test_mu_star_is_the_change_over_the_range(linear: pd.DataFrame) -> None:
    by_name = linear.set_index("parameter")
    for name, effect in EFFECTS.items():
        assert by_name.loc[name, "mu_star"] == pytest.approx(effect, abs=1e-9)
        assert by_name.loc[name, "mu_star_conf"] == pytest.approx(0.0, abs=1e-9)


def test_threshold_keeps_the_parameters_that_reach_a_tenth_of_the_largest_effect(linear: pd.DataFrame) -> None:
    decision = screen(linear, [p.name for p in PARAMETERS], ScreeningRule())
    assert decision.kept == ["a", "b", "e"] and decision.screened_out == ["c", "d"]
    assert decision.scores() == pytest.approx({"a": 1.0, "b": 0.25, "e": 0.125, "c": 0.05, "d": 0.0}, abs=1e-9)
    assert list(decision.table["parameter"]) == ["a", "b", "e", "c", "d"], "by score, highest first"
    assert screen(linear, [p.name for p in PARAMETERS], ScreeningRule(threshold=0.3)).kept == ["a"]
    assert screen(linear, [p.name for p in PARAMETERS], ScreeningRule(threshold=0.04)).kept == ["a", "b", "c", "e"]


def test_keep_k_keeps_the_k_highest_scores_in_parameter_order(linear: pd.DataFrame) -> None:
    assert screen(linear, [p.name for p in PARAMETERS], ScreeningRule(keep=2)).kept == ["a", "b"]
    assert screen(linear, [p.name for p in PARAMETERS], ScreeningRule(keep=4)).kept == ["a", "b", "c", "e"]
    assert screen(linear, [p.name for p in PARAMETERS], ScreeningRule(keep=9)).screened_out == []


def test_a_parameter_that_matters_to_any_outcome_is_kept_and_a_constant_outcome_says_nothing() -> None:
    design = morris_design(PARAMETERS, 4, seed=1)
    x = design.points
    outputs = {
        "first": 8.0 * x[:, 0] + 0.2 * x[:, 1],  # a 8, b 2
        "second": 0.0005 * x[:, 4] + 100.0 * x[:, 0],  # e 0.1, a 100: e is 0.001 of the largest here
        "third": 0.2 * x[:, 2],  # only c moves it: c is the largest effect on this outcome
        "constant": np.full(len(x), 7.0),
    }
    indices = _morris_indices(outputs, design)
    assert (indices[indices["outcome"] == "constant"]["mu_star"] == 0.0).all()
    decision = screen(indices, [p.name for p in PARAMETERS], ScreeningRule())
    assert decision.kept == ["a", "b", "c"] and decision.screened_out == ["d", "e"]
    assert decision.scores()["c"] == pytest.approx(1.0) and decision.scores()["e"] == pytest.approx(0.001)
    assert "constant" not in set(decision.table["outcome"])


def test_the_upper_end_of_the_interval_decides() -> None:
    indices = pd.DataFrame(
        {
            "outcome": ["y"] * 3,
            "parameter": ["big", "uncertain", "small"],
            "mu_star": [2.0, 0.1, 0.1],
            "mu_star_conf": [0.0, 0.12, 0.05],
        }
    )
    decision = screen(indices, ["big", "uncertain", "small"], ScreeningRule())
    assert decision.scores() == pytest.approx({"big": 1.0, "uncertain": 0.11, "small": 0.075})
    assert decision.kept == ["big", "uncertain"] and decision.screened_out == ["small"]


def test_when_no_outcome_moves_every_parameter_is_kept_with_a_note() -> None:
    indices = pd.DataFrame({"outcome": ["y", "y"], "parameter": ["p", "q"], "mu_star": 0.0, "mu_star_conf": 0.0})
    decision = screen(indices, ["p", "q"], ScreeningRule(keep=1))
    assert decision.kept == ["p", "q"] and decision.screened_out == []
    assert decision.note is not None and "cannot tell the parameters apart" in decision.note


@pytest.mark.parametrize(
    ("options", "message"),
    [({"threshold": 0.0}, "threshold must be a number in (0, 1]"), ({"keep": 0}, "whole number >= 1")],
)
def test_bad_rules_are_refused(options: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace("]", r"\]")):
        ScreeningRule(**options)  # type: ignore[arg-type]


def test_when_a_sweep_screens() -> None:
    def setup(count: int, named: bool = False) -> SweepSetup:
        return SweepSetup(None, [None] * count, [], [], named)  # type: ignore[arg-type, list-item]

    automatic = ScreenChoice()
    assert automatic.wanted("sobol", setup(13)) and not automatic.wanted("sobol", setup(12))
    assert not automatic.wanted("sobol", setup(40, named=True)), "--vary parameters run as named"
    assert not automatic.wanted("lhs", setup(40)) and not automatic.wanted("morris", setup(40))
    assert not ScreenChoice(enabled=False).wanted("sobol", setup(80))
    assert ScreenChoice(enabled=True).wanted("sobol", setup(3))
    with pytest.raises(SweepError, match="cannot precede a lhs design"):
        ScreenChoice(enabled=True).wanted("lhs", setup(30))
