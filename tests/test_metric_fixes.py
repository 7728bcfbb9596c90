"""Metrics that cannot mislead: value protected as a share, one yardstick for capability targets, directions,
and differences printed at the precision their confidence interval supports."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis.targets import fulfilment_against, targets_differ
from sim.api import load_scenario
from sim.model.metrics import metric_by_name, target_fulfilment
from sim.report.formatting import decimals_for_interval, format_difference_interval


def test_target_fulfilment_caps_each_target_at_one_and_counts_a_zero_target_as_met() -> None:
    # min(1, 4/8) = 0.5, min(1, 14/12) = 1, zero target = 1 → mean 2.5 / 3.
    assert target_fulfilment(np.array([4, 14, 0]), np.array([8, 12, 0])) == pytest.approx(2.5 / 3)
    assert np.isnan(target_fulfilment(np.array([]), np.array([])))


def test_directions_that_would_mislead_are_neither() -> None:
    for name in (
        "value_protected_meur",
        "cost_exchange_ratio",
        "nato_cost_exchange_ratio",
        "joint_procurement_share",
        "units_delivered",
    ):
        definition = metric_by_name(name)
        assert definition is not None and definition.better == "neither", name
    share = metric_by_name("value_protected_share")
    assert share is not None and share.better == "higher" and share.unit == "share"


def test_drone_wall_is_measured_against_the_baseline_targets() -> None:
    baseline = load_scenario("scenarios/baseline.yaml")
    wall = load_scenario("scenarios/drone_wall.yaml")
    assert targets_differ([baseline, wall]) and not targets_differ([baseline, baseline])
    targets = baseline.actors.nato.capability_targets
    # One replication owning exactly each baseline target, one owning half of each (rounded down) and nothing else.
    full = {f"fire_units_owned_end.{t.state}.{t.effector}": float(t.fire_units.value) for t in targets}
    half = {key: float(value // 2) for key, value in full.items()}
    frame = pd.DataFrame([full, half])
    expected_half = np.mean([min(1.0, (t.fire_units.value // 2) / t.fire_units.value) for t in targets])
    assert fulfilment_against(frame, baseline).tolist() == pytest.approx([1.0, expected_half])
    # A missing column means nothing owned.
    assert fulfilment_against(pd.DataFrame({"x": [1.0]}), baseline).tolist() == [0.0]


@pytest.mark.parametrize(
    ("name", "mean", "low", "high", "expected"),
    [
        # The "-0.000 [-0.001, -0.000]": a half-width of 0.0002 shows to 2 significant digits.
        ("cost_exchange_ratio", -0.0003, -0.0005, -0.0001, ("-0.00030", "-0.00050", "-0.00010")),
        # A share: percentage points; half-width 0.02 pp → 3 decimals.
        ("ukraine_drone_intercept_rate", -0.0002, -0.0004, 0.0, ("-0.020 pp", "-0.040", "0.000")),
        ("nato_leakers", 45.5, 37.4, 53.6, ("+45.5", "+37.4", "+53.6")),
        ("ukraine_leakers", 1234.0, 1000.0, 1468.0, ("+1,234", "+1,000", "+1,468")),
        ("nato_leakers", 3.0, 3.0, 3.0, ("+3.00", "+3.00", "+3.00")),
        # The same difference in every replication, its interval only floating-point rounding wide: exact, not to
        # six decimals ("+0.200000 … +0.200000" in the app).
        ("cost_exchange_ratio", 0.2, 0.19999999999999998, 0.20000000000000004, ("+0.200", "+0.200", "+0.200")),
        ("nato_leakers", float("nan"), float("nan"), float("nan"), ("–", "–", "–")),
    ],
)
def test_differences_print_at_the_precision_of_their_interval(
    name: str, mean: float, low: float, high: float, expected: tuple[str, str, str]
) -> None:
    texts = format_difference_interval(name, mean, low, high)
    assert texts == expected
    assert not any(text.startswith("±") for text in texts)


def test_decimals_for_interval() -> None:
    assert [decimals_for_interval(w) for w in (25.0, 8.1, 0.5, 0.02, 1e-9)] == [0, 1, 2, 3, 6]


def test_a_comparison_replaces_the_common_fulfilment_only_when_targets_differ() -> None:
    from sim.analysis.targets import with_common_targets

    baseline = load_scenario("scenarios/baseline.yaml")
    wall = load_scenario("scenarios/drone_wall.yaml")
    owned = {f"fire_units_owned_end.{t.state}.{t.effector}": float(t.fire_units.value)
             for t in baseline.actors.nato.capability_targets}  # fmt: skip
    frame = pd.DataFrame([{"point": 0, "capability_target_fulfilment_common": 0.4, **owned}] * 2)
    same, differ = with_common_targets(frame, [baseline, baseline])
    assert not differ and same is frame
    changed, differ = with_common_targets(frame, [baseline, wall])
    assert differ and changed["capability_target_fulfilment_common"].tolist() == [1.0, 1.0]
    assert frame["capability_target_fulfilment_common"].tolist() == [0.4, 0.4]  # the input is left alone


def test_parameter_values_print_whole_or_to_four_digits_never_in_exponent_form() -> None:
    from sim.report.formatting import format_parameter

    values = [4_000_000.0, 73_405.4, 1_234.6, 999.94, 0.2, 0.000012, float("nan"), None]
    assert [format_parameter(value) for value in values] == [
        "4,000,000",
        "73,405",
        "1,235",
        "999.9",
        "0.2",
        "1.2e-05",
        "",
        "",
    ]
