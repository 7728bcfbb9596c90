"""Force posture: where every fire unit and interceptor stands, who owns it, and how units move with their rounds.

The one owner of holdings. Every region (a member state's airspace or a Ukrainian region) holds fire units
``[R, E]`` and munitions ``[R, M]``; the night fights with what stands there. Ownership is kept beside it:

- a member state's own units at home are what stands in its region minus its *guests*: NATO's rotational pool
  units placed there and other member states' units redeployed there;
- units a state lends to NATO's pool (:meth:`ForcePosture.lend_to_pool`) stay its own (they count towards its
  capability targets) but stand wherever the pool's sentry policy or the players place them on the eastern
  flank (:meth:`ForcePosture.place_pool`, :meth:`ForcePosture.move_pool_units`);
- units a state redeploys (:meth:`ForcePosture.redeploy`) stand in the target region and stay its own.

A fire unit moves with one load of its interceptors: up to its ready rounds per unit, from the stock of the
region it leaves (:meth:`ForcePosture.move_with_rounds`). The last munition column is not a stock: it is the
munition of effectors that fire none (electronic warfare), named :data:`sim.model.tables.NO_MUNITION`, held at
:data:`sim.model.tables.UNLIMITED_STOCK` and never carried (:attr:`ForcePosture.no_munition`).

Ukraine's depot holds new fire units and interceptors (deliveries, donations, its own industry's output) that
stand in no region yet: Ukraine's allocation (its policy or its players) sends them out to its regions
(:meth:`ForcePosture.send_out_depot`, :meth:`ForcePosture.allocate_from_depot`). The depot is kept here, not in
the Ukraine agent, because it is a holding like any other: every count of fire units and interceptors
(Ukraine's fire-unit series, the interceptor stock in play, the key of cached fire-unit levels) reads this one
owner, and the agent keeps only the decision of where they go.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sim.model.splits import UnitSplit, split_units
from sim.model.tables import UNLIMITED_STOCK, Tables

POOL_LOAD_CAP_ROUNDS = 10**6
"""Most rounds one unit of NATO's pool carries when the pool moves (an effector without a ready-round limit
would otherwise take its region's whole stock). Member states' and Ukraine's moves carry no such cap."""


class ForcePosture:
    """Holdings per region, ownership (lent to NATO's pool, redeployed) and the moves (see the module docstring).

    Attributes:
        fire_units: ``[R, E]`` fire units standing in each region.
        munitions: ``[R, M]`` rounds on hand in each region; column :attr:`no_munition` is unlimited.
        no_munition: Column of the no-munition pseudo-munition (EW), by name.
        lent: ``[R, E]`` units each member state (the row of its region) has lent to NATO's pool.
        flank_regions: ``[F]`` the eastern-flank regions the pool stands over, in scenario order.
        pool: ``[E]`` units in NATO's rotational pool.
        pool_assignment: ``[F, E]`` pool units standing in each flank region.
        redeployed: Owner's region → region → ``[E]`` units the owner has redeployed there.
        depot_fire_units: ``[E]`` fire units in Ukraine's depot, standing in no region yet.
        depot_munitions: ``[M]`` interceptors in Ukraine's depot (column :attr:`no_munition` stays 0).
    """

    def __init__(self, tables: Tables, flank_regions: NDArray[np.int64], member_regions: list[int]) -> None:
        regions, effectors = len(tables.region_names), len(tables.effector_names)
        self.tables = tables
        self.fire_units = np.zeros((regions, effectors), dtype=np.int64)
        self.munitions = np.zeros((regions, len(tables.munition_names)), dtype=np.int64)
        self.no_munition = tables.no_munition
        self.munitions[:, self.no_munition] = UNLIMITED_STOCK
        self.lent = np.zeros((regions, effectors), dtype=np.int64)
        self.flank_regions = flank_regions
        self._flank_position = {int(region): position for position, region in enumerate(flank_regions)}
        self.pool = np.zeros(effectors, dtype=np.int64)
        self.pool_assignment = np.zeros((len(flank_regions), effectors), dtype=np.int64)
        self.redeployed: dict[int, dict[int, NDArray[np.int64]]] = {region: {} for region in member_regions}
        self.depot_fire_units = np.zeros(effectors, dtype=np.int64)
        self.depot_munitions = np.zeros(len(tables.munition_names), dtype=np.int64)

    # --- holdings ---------------------------------------------------------------------------------------

    def add(self, region: int, item: str, units: int) -> None:
        """Add (or with negative units remove) fire units or interceptors of a catalog item in a region."""
        is_fire_unit, index = self.tables.holding_slot(item)
        if is_fire_unit:
            self.fire_units[region, index] += units
        else:
            self.munitions[region, index] += units

    def add_to_depot(self, item: str, units: int) -> None:
        """Fire units or interceptors of a catalog item arrive in Ukraine's depot."""
        is_fire_unit, index = self.tables.holding_slot(item)
        if is_fire_unit:
            self.depot_fire_units[index] += units
        else:
            self.depot_munitions[index] += units

    def guests(self) -> NDArray[np.int64]:
        """``[R, E]`` fire units standing in each region that belong to someone else: NATO's rotational pool on
        the eastern flank and units other member states redeployed there."""
        guests = np.zeros_like(self.fire_units)
        if len(self.flank_regions):
            guests[self.flank_regions] = self.pool_assignment
        for away in self.redeployed.values():
            for region, units in away.items():
                guests[region] += units
        return guests

    def guests_in(self, region: int) -> NDArray[np.int64]:
        """``[E]`` row ``region`` of :meth:`guests`."""
        position = self._flank_position.get(region)
        if position is None:
            guests = np.zeros(self.fire_units.shape[1], dtype=np.int64)
        else:
            guests = self.pool_assignment[position].copy()
        for away in self.redeployed.values():
            units = away.get(region)
            if units is not None:
                guests += units
        return guests

    def home(self, region: int) -> NDArray[np.int64]:
        """``[E]`` a member state's own fire units standing at home (its region, minus the guests there)."""
        units: NDArray[np.int64] = self.fire_units[region] - self.guests_in(region)
        return units

    def owned_by(self, region: int) -> NDArray[np.int64]:
        """``[E]`` fire units the member state of ``region`` owns wherever they stand."""
        owned = self.home(region) + self.lent[region]
        for units in self.redeployed[region].values():
            owned = owned + units
        return owned

    def owned(self) -> NDArray[np.int64]:
        """``[R, E]`` fire units each member state owns wherever they stand, in the row of its region: its own
        units at home, lent to NATO's pool and redeployed elsewhere. Ukraine's rows hold what stands there."""
        owned = self.fire_units - self.guests() + self.lent
        for region, away in self.redeployed.items():
            for units in away.values():
                owned[region] += units
        return owned

    # --- moves --------------------------------------------------------------------------------------------

    def move_with_rounds(
        self, effector: int, units: int, source: int, target: int, load_cap_rounds: int | None = None
    ) -> None:
        """Move fire units between regions, each carrying up to one load of its interceptors from the source.

        The load is the effector's ready rounds per unit (at most ``load_cap_rounds`` if given); an effector
        without a munition carries nothing. The caller has checked that the units are there.
        """
        tables = self.tables
        self.fire_units[source, effector] -= units
        self.fire_units[target, effector] += units
        munition = int(tables.effector_munition[effector])
        if munition == self.no_munition:
            return
        ready = int(tables.ready_rounds_per_unit[effector])
        if load_cap_rounds is not None:
            ready = min(ready, load_cap_rounds)
        carried = min(int(self.munitions[source, munition]), units * ready)
        self.munitions[source, munition] -= carried
        self.munitions[target, munition] += carried

    def redeploy(self, owner_region: int, effector: int, units: int, target: int) -> None:
        """A member state moves its own units from home to another region (they stay its own)."""
        self.move_with_rounds(effector, units, owner_region, target)
        away = self.redeployed[owner_region].setdefault(
            target, np.zeros(len(self.tables.effector_names), dtype=np.int64)
        )
        away[effector] += units

    def lend_to_pool(self, owner_region: int, given: NDArray[np.int64]) -> None:
        """A member state lends ``given`` ``[E]`` units from home to NATO's pool, with one load of rounds each.

        The rounds carried are spread evenly over the flank regions (they follow their units at the next
        placement); the units join the pool unplaced.
        """
        self.fire_units[owner_region] -= given
        carried = np.minimum(self.munitions[owner_region], given @ self.tables.ready_matrix)
        carried[self.no_munition] = 0
        self.munitions[owner_region] -= carried
        self.lent[owner_region] += given
        self.pool += given
        if len(self.flank_regions) == 0:
            return
        weights = np.ones(len(self.flank_regions))
        for munition in np.flatnonzero(carried):
            self.munitions[self.flank_regions, munition] += split_units(int(carried[munition]), weights)

    def place_pool(self, assignment: NDArray[np.int64]) -> bool:
        """Stand the pool as ``assignment`` ``[F, E]``; return whether any unit moved.

        Each unit leaving a flank region takes up to one load of its interceptors (at most
        :data:`POOL_LOAD_CAP_ROUNDS`) from the region's stock; what is taken is split over the regions gaining
        units of that effector by the units they gain.
        """
        delta = assignment - self.pool_assignment
        moving = np.flatnonzero(delta.any(axis=0)).tolist()
        if not moving:
            return False
        tables = self.tables
        for effector in moving:
            munition = int(tables.effector_munition[effector])
            if munition != self.no_munition:
                ready = int(min(tables.ready_rounds_per_unit[effector], POOL_LOAD_CAP_ROUNDS))
                self._carry_pool_rounds(munition, ready, delta[:, effector])
        self.fire_units[self.flank_regions] += delta
        self.pool_assignment = assignment
        return True

    def _carry_pool_rounds(self, munition: int, ready_rounds: int, change: NDArray[np.int64]) -> None:
        """Move one effector's interceptors with its pool units (``change``: units gained or lost per flank region)."""
        stock = self.munitions[self.flank_regions, munition].tolist()
        units = change.tolist()
        taken = [min(held, -moved * ready_rounds) if moved < 0 else 0 for held, moved in zip(stock, units, strict=True)]
        gaining = [flank for flank, moved in enumerate(units) if moved > 0]
        shares = UnitSplit(np.array([units[flank] for flank in gaining], dtype=np.float64)).of(sum(taken))
        net = [-take for take in taken]
        for flank, share in zip(gaining, shares, strict=True):
            net[flank] += share
        self.munitions[self.flank_regions, munition] += net

    def move_pool_units(self, effector: int, sources: dict[int, int], target: int) -> None:
        """Move pool units between flank regions (a tabletop decision; the caller has checked them).

        Args:
            effector: Effector index.
            sources: Flank position (index into :attr:`flank_regions`) → units leaving it.
            target: Flank position the units go to.
        """
        target_region = int(self.flank_regions[target])
        for flank, units in sources.items():
            self.pool_assignment[flank, effector] -= units
            self.pool_assignment[target, effector] += units
            self.move_with_rounds(
                effector, units, int(self.flank_regions[flank]), target_region, load_cap_rounds=POOL_LOAD_CAP_ROUNDS
            )

    def depot_is_empty(self) -> bool:
        """Whether Ukraine's depot holds no fire unit and no interceptor."""
        return not (self.depot_fire_units.any() or self.depot_munitions[: self.no_munition].any())

    def send_out_depot(self, regions: NDArray[np.int64], split: UnitSplit) -> None:
        """Empty Ukraine's depot into ``regions`` ``[U]``: each slot's units split by ``split`` over them."""
        column = regions[:, np.newaxis]  # (indexes rows × columns of the holdings)
        self._send_out(self.depot_fire_units.tolist(), split, column, self.fire_units)
        self._send_out(self.depot_munitions.tolist()[: self.no_munition], split, column, self.munitions)
        self.depot_fire_units[:] = 0
        self.depot_munitions[: self.no_munition] = 0

    @staticmethod
    def _send_out(depot: list[int], split: UnitSplit, rows: NDArray[np.int64], holdings: NDArray[np.int64]) -> None:
        """Add the split of each depot slot to ``holdings[rows]`` (a slot of zero or less, which would split
        into zeros, is left out: most of the depot is empty most weeks)."""
        slots = [slot for slot, units in enumerate(depot) if units > 0]
        if slots:
            holdings[rows, slots] += np.array([split.of(depot[slot]) for slot in slots]).T

    def allocate_from_depot(self, region: int, fire_units: dict[int, int], munitions: dict[int, int]) -> None:
        """Send units from Ukraine's depot to one region (effector or munition index → units; the caller has
        checked that the depot holds them)."""
        for effector, units in fire_units.items():
            self.depot_fire_units[effector] -= units
            self.fire_units[region, effector] += units
        for munition, units in munitions.items():
            self.depot_munitions[munition] -= units
            self.munitions[region, munition] += units

    def snapshot(self) -> tuple[object, ...]:
        """A key that changes whenever a fire unit moves or changes hands, Ukraine's depot included (for caches
        of fire-unit levels)."""
        redeployed = [
            (owner, region, units.tobytes())
            for owner, away in self.redeployed.items()
            for region, units in away.items()
        ]
        return (
            self.fire_units.tobytes(),
            self.lent.tobytes(),
            self.pool.tobytes(),
            self.pool_assignment.tobytes(),
            redeployed,
            self.depot_fire_units.tobytes(),
        )
