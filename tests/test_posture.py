"""The force posture (sim/model/posture.py): holdings, ownership and moves with rounds, by hand-worked examples.

The index tables are the shipped baseline's: a Patriot fire unit fires ``pac3_mse`` and holds 48 ready rounds; the EW
jammer fires nothing (the no-munition column).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.model.posture import ForcePosture
from sim.model.tables import NO_MUNITION, UNLIMITED_STOCK, Tables, build_tables
from sim.scenario.loader import load_scenario

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"


@pytest.fixture(scope="module")
def tables() -> Tables:
    return build_tables(load_scenario(BASELINE))


def posture_of(tables: Tables) -> ForcePosture:
    flank = np.array([tables.region_index(code) for code in ("PL", "RO", "EE")], dtype=np.int64)
    members = [index for index, owner in enumerate(tables.region_owner) if owner != "UA"]
    return ForcePosture(tables, flank, members)


def test_the_no_munition_column_is_named_and_unlimited(tables: Tables) -> None:
    posture = posture_of(tables)
    assert tables.munition_names[posture.no_munition] == NO_MUNITION
    assert NO_MUNITION not in tables.interceptor_names
    assert (posture.munitions[:, posture.no_munition] == UNLIMITED_STOCK).all()
    assert posture.munitions[:, : posture.no_munition].sum() == 0


def test_units_move_with_one_load_of_rounds_each(tables: Tables) -> None:
    posture = posture_of(tables)
    pl, de = tables.region_index("PL"), tables.region_index("DE")
    patriot, pac3 = tables.effector_index("patriot"), tables.munition_index("pac3_mse")
    posture.add(pl, "patriot", 5)
    posture.add(pl, "pac3_mse", 100)
    posture.move_with_rounds(patriot, 1, pl, de)  # one load: 48 rounds
    assert (posture.fire_units[pl, patriot], posture.fire_units[de, patriot]) == (4, 1)
    assert (posture.munitions[pl, pac3], posture.munitions[de, pac3]) == (52, 48)
    posture.move_with_rounds(patriot, 3, pl, de)  # three loads would be 144: only the 52 left go
    assert (posture.munitions[pl, pac3], posture.munitions[de, pac3]) == (0, 100)
    posture.move_with_rounds(patriot, 1, pl, de, load_cap_rounds=10)
    assert posture.fire_units[de, patriot] == 5


def test_an_ew_unit_carries_nothing_and_the_unlimited_column_stays(tables: Tables) -> None:
    posture = posture_of(tables)
    pl, de = tables.region_index("PL"), tables.region_index("DE")
    jammer = tables.effector_index("ew_jammer")
    posture.add(pl, "ew_jammer", 2)
    posture.move_with_rounds(jammer, 2, pl, de)
    assert posture.fire_units[de, jammer] == 2
    assert (posture.munitions[:, posture.no_munition] == UNLIMITED_STOCK).all()


def test_redeployed_units_stand_abroad_and_stay_their_owners(tables: Tables) -> None:
    posture = posture_of(tables)
    de, lt = tables.region_index("DE"), tables.region_index("LT")
    patriot = tables.effector_index("patriot")
    posture.add(de, "patriot", 4)
    posture.add(lt, "patriot", 1)
    posture.redeploy(de, patriot, 3, lt)
    assert posture.home(de)[patriot] == 1
    assert posture.home(lt)[patriot] == 1  # Lithuania's own unit; the three German guests are not its
    assert posture.guests_in(lt)[patriot] == 3 and posture.guests()[lt, patriot] == 3
    assert posture.owned_by(de)[patriot] == 4
    owned = posture.owned()
    assert (owned[de, patriot], owned[lt, patriot]) == (4, 1)


def test_lending_to_the_pool_and_placing_it_moves_units_and_rounds(tables: Tables) -> None:
    posture = posture_of(tables)
    de, pl, ro, ee = (tables.region_index(code) for code in ("DE", "PL", "RO", "EE"))
    patriot, pac3 = tables.effector_index("patriot"), tables.munition_index("pac3_mse")
    posture.add(de, "patriot", 3)
    posture.add(de, "pac3_mse", 100)
    given = np.zeros(len(tables.effector_names), dtype=np.int64)
    given[patriot] = 2
    posture.lend_to_pool(de, given)  # two loads (96 rounds) leave Germany, spread evenly over the flank
    assert posture.fire_units[de, patriot] == 1 and posture.munitions[de, pac3] == 4
    assert posture.munitions[[pl, ro, ee], pac3].tolist() == [32, 32, 32]
    assert posture.pool[patriot] == 2 and posture.lent[de, patriot] == 2
    assert posture.owned_by(de)[patriot] == 3  # lent units remain Germany's

    first = np.zeros_like(posture.pool_assignment)
    first[0, patriot] = 2
    assert posture.place_pool(first)  # both to Poland; nobody loses units, so no rounds move
    assert posture.fire_units[pl, patriot] == 2 and posture.munitions[pl, pac3] == 32
    assert not posture.place_pool(first.copy())  # the same placement moves nothing

    second = np.zeros_like(posture.pool_assignment)
    second[1, patriot] = second[2, patriot] = 1
    assert posture.place_pool(second)  # Poland's two units take its 32 rounds, split 16/16 over the gainers
    assert posture.fire_units[[pl, ro, ee], patriot].tolist() == [0, 1, 1]
    assert posture.munitions[[pl, ro, ee], pac3].tolist() == [0, 48, 48]
    assert posture.guests_in(ro)[patriot] == 1 and posture.home(ro)[patriot] == 0

    posture.move_pool_units(patriot, {1: 1}, 2)  # tabletop: Romania's unit joins Estonia with one load
    assert posture.fire_units[[ro, ee], patriot].tolist() == [0, 2]
    assert posture.munitions[[ro, ee], pac3].tolist() == [0, 96]
    assert posture.pool_assignment[:, patriot].tolist() == [0, 0, 2]
