"""The engagement kernel: one night of layered air defence for many regions at once.

This is the single place where threats meet defences. Runs, tabletop play, the UI and reports all call
:func:`resolve_night`; nothing else decides who shoots at what. The kernel is pure numpy (no Mesa, no
pydantic) and works on *counts*: a raid of 10,000 drones costs the same as a raid of 10, because kills
are drawn with one binomial per layer (or per shoot-look-shoot round) over all regions and threat types
at once, never with one Python object per drone.

Shapes used throughout: ``R`` regions, ``T`` threat types, ``L`` layers, ``M`` munition types.

The model, for one night and every region independently:

1. Threats meet the layers in order (cheap effectors first). The survivors of layer ``l`` go on to
   layer ``l + 1``; whatever survives the last layer leaks.
2. A layer's *candidates* are the surviving threats of the types it engages (``LayerSpec.engages``).
   A layer fires at decoys because it cannot tell them from drones: that is how decoys draw fire.
   The number of targets engaged is ``n = min(candidates, channel capacity, magazine limit)``, where the
   channel capacity ``engagements_per_night[r, l]`` counts targets (fire units × channels).
3. Salvo doctrine (``shoot_look_shoot=False``): every engaged target receives ``k = shots_per_target``
   shots at once. The magazine limit is ``floor(munitions / k)``; an engaged target is killed with
   probability ``1 - (1 - p)^k``; shots = ``k × engaged``.
4. Shoot-look-shoot: engaged targets receive one shot per round for up to ``k`` rounds; targets killed
   in a round drop out. The magazine limit on the number engaged is the stock itself (at least one shot
   per target); later rounds fire at most the munitions still on hand. Kills in a round are
   ``binomial(shots, p)`` per region and type.
5. When a layer (or a shot-limited round) cannot serve every candidate, the engaged count is split
   across threat types by the cumulative-floor rule of :func:`split_in_proportion`: deterministic,
   proportional to the candidates, exact in total, never more than the candidates of a type.
6. Decoys are an ordinary threat type with their own kill probability; the kernel has no special case
   for them. What a leaker destroys is computed elsewhere.
7. Several layers may share a munition type (``munition_index``); a layer draws on the stock left by the
   layers before it, and the stock never goes negative.

Conservation holds exactly for every region and type: ``incoming = Σ_l killed + leakers``;
``killed ≤ engaged``; ``Σ_t engaged ≤ engagements_per_night``; ``munitions_left = munitions_on_hand −
Σ shots of the layers using that munition ≥ 0``; under salvo doctrine ``shots = k × engaged``.

Magazine-empty flag: a layer is flagged in a region when it wanted to fire and its munition had run out:
it had candidates and free channels but not one more full salvo in stock, or (shoot-look-shoot) it could
not give a surviving engaged target its next shot.

Random draws and cost: one ``rng.binomial`` call per layer that engages anything (salvo) or per round
that fires anything (shoot-look-shoot); a layer without channels anywhere, without candidates anywhere or
without anything engaged draws nothing, and the loop stops once every threat is down. The same inputs and
generator state give the same outcome. Because the number of draws depends on what happens, a caller
that wants common random numbers across scenarios should give each night its own child generator
(``numpy.random.SeedSequence.spawn``) rather than share one stream over a whole run. Each numpy call on
these small arrays costs about a microsecond and each binomial call several, whatever the counts; to
amortise that, stack many regions (or replications) along the region axis of one call.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["LayerSpec", "NightOutcome", "resolve_night", "split_in_proportion"]

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


def _read_only(array: NDArray[np.generic]) -> NDArray[np.generic]:
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class LayerSpec:
    """One layer of air defence in a region (EW, guns, interceptor drones, SHORAD, Patriot-class, ...).

    Instances are compared by identity. The arrays are copied and made read-only at construction, and the
    derived ``salvo_kill_probability`` is computed once here so the kernel does not repeat it every night.

    Attributes:
        name: Human-readable name of the layer, e.g. ``"interceptor drones"``.
        kill_probability: ``[T]`` single-shot kill probability per threat type, in ``[0, 1]``.
            0 means the layer cannot kill that type (it may still waste shots on it if it engages it).
        engages: ``[T]`` bool, whether the layer fires at that threat type at all. A gun layer does not
            engage ballistic missiles; every layer that engages drones also engages decoys, because it
            cannot tell them apart.
        shots_per_target: ``k ≥ 1``: shots per target in a salvo, or the maximum number of
            shoot-look-shoot rounds.
        shoot_look_shoot: ``True`` for shoot-look-shoot doctrine, ``False`` for a salvo of ``k`` shots.
        munition_index: Index into the munition axis of ``munitions_on_hand``; layers may share one.
        cost_per_shot_eur: Cost of one interceptor (or burst) fired, in euros.
        salvo_kill_probability: Derived, ``[T]``: ``1 - (1 - p)^k``, the kill probability per engaged
            target under salvo doctrine (equal to the kill probability of the whole shoot-look-shoot
            sequence when munitions do not run out).
    """

    name: str
    kill_probability: FloatArray
    engages: BoolArray
    shots_per_target: int
    shoot_look_shoot: bool
    munition_index: int
    cost_per_shot_eur: float
    salvo_kill_probability: FloatArray = field(init=False, repr=False)
    _engages_as_int: IntArray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        """Validate the fields, copy the arrays read-only and precompute the derived arrays.

        Raises:
            ValueError: if a field is out of range or the arrays disagree in shape.
            TypeError: if an integer or boolean field has the wrong type.
        """
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"layer name must be a non-empty string, got {self.name!r}")
        kill_probability = np.array(self.kill_probability, dtype=np.float64)
        engages = np.array(self.engages)
        if kill_probability.ndim != 1 or kill_probability.size == 0:
            raise ValueError(f"layer {self.name!r}: kill_probability must be a non-empty 1-D array [T]")
        if not np.all((kill_probability >= 0.0) & (kill_probability <= 1.0)):
            raise ValueError(f"layer {self.name!r}: kill_probability must lie in [0, 1], got {kill_probability}")
        if engages.dtype != np.bool_:
            raise TypeError(f"layer {self.name!r}: engages must be a boolean array, got dtype {engages.dtype}")
        if engages.shape != kill_probability.shape:
            raise ValueError(
                f"layer {self.name!r}: engages has shape {engages.shape} but kill_probability has shape "
                f"{kill_probability.shape}; both must be [T]"
            )
        for attribute in ("shots_per_target", "munition_index"):
            value = getattr(self, attribute)
            if isinstance(value, bool) or not isinstance(value, int | np.integer):
                raise TypeError(f"layer {self.name!r}: {attribute} must be an int, got {value!r}")
        if self.shots_per_target < 1:
            raise ValueError(f"layer {self.name!r}: shots_per_target must be ≥ 1, got {self.shots_per_target}")
        if self.munition_index < 0:
            raise ValueError(f"layer {self.name!r}: munition_index must be ≥ 0, got {self.munition_index}")
        if not isinstance(self.shoot_look_shoot, bool | np.bool_):
            raise TypeError(f"layer {self.name!r}: shoot_look_shoot must be a bool, got {self.shoot_look_shoot!r}")
        if not math.isfinite(self.cost_per_shot_eur) or self.cost_per_shot_eur < 0:
            raise ValueError(
                f"layer {self.name!r}: cost_per_shot_eur must be finite and ≥ 0, got {self.cost_per_shot_eur}"
            )
        set_field = object.__setattr__  # the dataclass is frozen; these are set once, here
        set_field(self, "shots_per_target", int(self.shots_per_target))
        set_field(self, "munition_index", int(self.munition_index))
        set_field(self, "shoot_look_shoot", bool(self.shoot_look_shoot))
        set_field(self, "cost_per_shot_eur", float(self.cost_per_shot_eur))
        set_field(self, "kill_probability", _read_only(kill_probability))
        set_field(self, "engages", _read_only(engages.copy()))
        salvo = 1.0 - (1.0 - kill_probability) ** self.shots_per_target
        set_field(self, "salvo_kill_probability", _read_only(salvo))
        set_field(self, "_engages_as_int", _read_only(engages.astype(np.int64)))


@dataclass(frozen=True, eq=False)
class NightOutcome:
    """What happened in one night, per region, layer and threat type. All counts are int64.

    Attributes:
        killed: ``[R, L, T]`` threats killed by each layer.
        engaged: ``[R, L, T]`` targets engaged by each layer (a target counts once, whatever the shots).
        shots: ``[R, L, T]`` interceptors (or bursts) fired by each layer at each threat type.
        leakers: ``[R, T]`` threats that survived every layer.
        munitions_left: ``[R, M]`` munitions on hand after the night.
        magazine_empty: ``[R, L]`` bool: the layer wanted to fire but its munition had run out. Under salvo
            doctrine: it had candidates and channel capacity left but not enough munitions for one more
            full salvo. Under shoot-look-shoot: it could not give one shot to every target it had
            capacity for, or could not fire a follow-up shot at a surviving engaged target.
        cost_per_shot_eur: ``[L]`` cost of one shot of each layer, in euros (copied from the layers).
    """

    killed: IntArray
    engaged: IntArray
    shots: IntArray
    leakers: IntArray
    munitions_left: IntArray
    magazine_empty: BoolArray
    cost_per_shot_eur: FloatArray

    @property
    def shots_cost_eur(self) -> FloatArray:
        """``[R, L]`` euros spent on interceptors by each layer: shots × cost per shot."""
        result: FloatArray = self.shots.sum(axis=2) * self.cost_per_shot_eur
        return result

    @property
    def killed_total(self) -> IntArray:
        """``[R, T]`` threats killed by all layers together (``incoming − leakers``)."""
        result: IntArray = self.killed.sum(axis=1)
        return result


def _split(counts: IntArray, totals: IntArray, counts_total: IntArray) -> IntArray:
    """Kernel-internal :func:`split_in_proportion` without checks; ``counts_total`` = ``counts.sum(1)``."""
    allocated = counts.cumsum(axis=1)
    allocated *= totals[:, None]
    allocated //= np.maximum(counts_total, 1)[:, None]  # rows with nothing to split hold zeros anyway
    # Differences of the cumulative floors. The operands overlap; numpy buffers overlapping in-place
    # ufunc operands, so this equals subtracting an unmodified copy.
    allocated[:, 1:] -= allocated[:, :-1]
    return allocated


def split_in_proportion(counts: ArrayLike, totals: ArrayLike) -> IntArray:
    """Split ``totals[r]`` across the columns of ``counts[r]`` in proportion, deterministically.

    The cumulative-floor rule: with ``C_t`` the cumulative count over columns ``0..t`` and ``N`` the row
    total, column ``t`` receives ``floor(n·C_t / N) − floor(n·C_{t−1} / N)`` (with ``C_{−1} = 0``).

    Why it is exact and safe, for ``0 ≤ n ≤ N``:

    * The allocations telescope to ``floor(n·N / N) = n``: the total is preserved exactly.
    * ``C_t`` is non-decreasing, so every allocation is ≥ 0, and a column with count 0 receives 0.
    * An allocation is an integer below ``n·c_t / N + 1`` (a difference of floors is less than the
      difference of their arguments plus one), and ``n·c_t / N ≤ c_t`` because ``n ≤ N``; an integer
      below ``c_t + 1`` is at most ``c_t``. No column ever receives more than it holds.

    Example: counts ``[7, 3, 0, 5]``, n = 6 → cumulative ``[7, 10, 10, 15]`` → ``floor(6·C/15) =
    [2, 4, 4, 6]`` → split ``[2, 2, 0, 2]``.

    Args:
        counts: ``[R, T]`` non-negative integer counts (e.g. candidates per threat type).
        totals: ``[R]`` integers with ``0 ≤ totals[r] ≤ counts[r].sum()``.

    Returns:
        ``[R, T]`` int64 allocation with row sums equal to ``totals`` and ``0 ≤ allocation ≤ counts``.

    Raises:
        ValueError: if the shapes do not match or a count or total is out of range.
    """
    counts_array = np.asarray(counts, dtype=np.int64)
    totals_array = np.asarray(totals, dtype=np.int64)
    if counts_array.ndim != 2 or totals_array.shape != counts_array.shape[:1]:
        raise ValueError(f"need counts [R, T] and totals [R], got {counts_array.shape} and {totals_array.shape}")
    counts_total = counts_array.sum(axis=1)
    if np.any(counts_array < 0) or np.any(totals_array < 0) or np.any(totals_array > counts_total):
        raise ValueError("need counts ≥ 0 and 0 ≤ totals ≤ counts.sum(axis=1)")
    return _split(counts_array, totals_array, counts_total)


def _as_int_matrix(values: ArrayLike, name: str) -> IntArray:
    array = np.asarray(values)
    if array.ndim != 2:
        raise ValueError(f"{name} must be a 2-D integer array, got shape {array.shape}")
    if array.dtype != np.int64:
        if array.size and not np.issubdtype(array.dtype, np.integer):
            raise TypeError(f"{name} must hold integers, got dtype {array.dtype}")
        array = array.astype(np.int64)
    return array


def _validate(layers: Sequence[LayerSpec], incoming: IntArray, capacity: IntArray, munitions: IntArray) -> None:
    n_regions, n_types = incoming.shape
    if capacity.shape != (n_regions, len(layers)):
        raise ValueError(f"engagements_per_night must be [R, L] = {(n_regions, len(layers))}, got {capacity.shape}")
    if munitions.shape[0] != n_regions:
        raise ValueError(f"munitions_on_hand must be [R, M] with R = {n_regions}, got {munitions.shape}")
    for layer in layers:
        if not isinstance(layer, LayerSpec):
            raise TypeError(f"layers must be LayerSpec instances, got {type(layer).__name__}")
        if layer.kill_probability.shape[0] != n_types:
            raise ValueError(
                f"layer {layer.name!r} has {layer.kill_probability.shape[0]} threat types, incoming has {n_types}"
            )
        if layer.munition_index >= munitions.shape[1]:
            raise ValueError(
                f"layer {layer.name!r} uses munition {layer.munition_index}, "
                f"but munitions_on_hand has only {munitions.shape[1]} types"
            )
    for name, array in (
        ("incoming", incoming),
        ("engagements_per_night", capacity),
        ("munitions_on_hand", munitions),
    ):
        if array.size and array.min() < 0:
            raise ValueError(f"{name} must be ≥ 0 everywhere")


def resolve_night(
    layers: Sequence[LayerSpec],
    incoming: ArrayLike,
    engagements_per_night: ArrayLike,
    munitions_on_hand: ArrayLike,
    rng: np.random.Generator,
    *,
    validate: bool = True,
) -> NightOutcome:
    """Resolve one night of layered air defence for every region at once.

    See the module docstring for the model. The inputs are not modified.

    Args:
        layers: The ``L`` layers, in the order threats meet them (cheap effectors first).
        incoming: ``[R, T]`` threats arriving per region and threat type.
        engagements_per_night: ``[R, L]`` fire-channel capacity: the most targets each layer can engage
            in each region tonight (fire units × channels); may be 0.
        munitions_on_hand: ``[R, M]`` munitions in stock per region and munition type.
        rng: The random generator; the only source of randomness.
        validate: Check shapes, layer consistency and non-negativity (a few microseconds). A caller that
            has validated its setup once may pass ``False`` in its inner loop.

    Returns:
        The :class:`NightOutcome`.

    Raises:
        ValueError: if ``validate`` and the shapes disagree or a count is negative.
        TypeError: if ``validate`` and an argument has the wrong type.
    """
    survivors = _as_int_matrix(incoming, "incoming").copy()
    capacity = _as_int_matrix(engagements_per_night, "engagements_per_night")
    munitions_left = _as_int_matrix(munitions_on_hand, "munitions_on_hand").copy()
    if validate:
        _validate(layers, survivors, capacity, munitions_left)

    n_regions, n_types = survivors.shape
    n_layers = len(layers)
    killed = np.zeros((n_regions, n_layers, n_types), dtype=np.int64)
    engaged_out = np.zeros((n_regions, n_layers, n_types), dtype=np.int64)
    shots_out = np.zeros((n_regions, n_layers, n_types), dtype=np.int64)
    magazine_empty = np.zeros((n_regions, n_layers), dtype=np.bool_)
    layer_has_capacity = capacity.any(axis=0).tolist()
    # Every numpy call costs ~0.5 µs on these tiny arrays and a binomial draw ~5 µs: the loop below keeps
    # them few and skips whatever cannot change the outcome.
    minimum = np.minimum
    count_nonzero = np.count_nonzero
    binomial = rng.binomial

    for layer_index, layer in enumerate(layers):
        if not count_nonzero(survivors):
            break  # every threat is down (or none came): the remaining layers have nothing to do
        if not layer_has_capacity[layer_index]:
            continue
        candidates = survivors * layer._engages_as_int
        wanted = candidates.sum(axis=1)
        if not count_nonzero(wanted):
            continue  # nothing this layer engages is left anywhere: no fire, no draw, no flag
        k = layer.shots_per_target
        salvo = not layer.shoot_look_shoot or k == 1  # shoot-look-shoot with one round is a salvo of one
        stock = munitions_left[:, layer.munition_index]  # a view: subtracting from it updates the stock
        # Targets the layer could engage with a bottomless magazine, and with the magazine it has:
        # whole salvos only, or under shoot-look-shoot at least one shot per engaged target.
        demand = minimum(wanted, capacity[:, layer_index])
        magazine_limit = stock // k if salvo and k > 1 else stock
        engaged_total = minimum(demand, magazine_limit)
        np.less(magazine_limit, demand, out=magazine_empty[:, layer_index])
        if not count_nonzero(engaged_total):
            continue  # no channel or no munitions where the candidates are
        binding = count_nonzero(engaged_total != wanted)  # channels or magazine short somewhere
        engaged = _split(candidates, engaged_total, wanted) if binding else candidates
        engaged_out[:, layer_index] = engaged

        if salvo:
            kills = binomial(engaged, layer.salvo_kill_probability)
            shots_out[:, layer_index] = engaged * k if k > 1 else engaged
            stock -= engaged_total * k if k > 1 else engaged_total
        else:
            single_shot = layer.kill_probability
            # Round 1: every engaged target gets one shot (engaged_total ≤ stock by construction).
            kills = binomial(engaged, single_shot)
            shots = engaged.copy()
            stock -= engaged_total
            pending = engaged - kills  # engaged targets still alive, waiting for the next look and shot
            for _ in range(k - 1):
                pending_total = pending.sum(axis=1)
                if not count_nonzero(pending_total):
                    break
                fire = minimum(pending_total, stock)
                short_of_munitions = fire < pending_total
                if count_nonzero(short_of_munitions):
                    round_shots = _split(pending, fire, pending_total)
                    magazine_empty[:, layer_index] |= short_of_munitions
                else:
                    round_shots = pending
                round_kills = binomial(round_shots, single_shot)
                shots += round_shots  # before pending changes: round_shots may be pending itself
                kills += round_kills
                pending = pending - round_kills
                stock -= fire
            shots_out[:, layer_index] = shots

        killed[:, layer_index] = kills
        survivors -= kills

    return NightOutcome(
        killed=killed,
        engaged=engaged_out,
        shots=shots_out,
        leakers=survivors,
        munitions_left=munitions_left,
        magazine_empty=magazine_empty,
        cost_per_shot_eur=np.array([layer.cost_per_shot_eur for layer in layers], dtype=np.float64),
    )
