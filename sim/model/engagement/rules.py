"""The rules of the engagement: one night of layered air defence for many regions at once.

This is the single statement of how threats meet defences. The model's night
(:func:`sim.model.engagement.night.engage_regions`) and :func:`resolve_night` (a night from arrays of counts,
for tests, benchmarks and anyone studying one night) both carry these rules out with the same compiled loops,
:func:`sim.model.engagement.kernel.resolve_layers`; nothing else decides who shoots at what. The rules work on
*counts*: a raid of 10,000 drones is resolved like a raid of 10, with kills drawn as one binomial per layer (or
per shoot-look-shoot round) and threat type, never one object per drone.

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
5. When a layer (or a shot-limited round) cannot serve every candidate, it serves the threat types in
   increasing ``LayerSpec.priority``: every candidate of the most urgent priority value first, then the
   next value, and so on (the model gives missiles priority 0, drones and decoys 1). The count given to
   one priority value is split across its types by the cumulative-floor rule of
   :func:`split_in_proportion`: deterministic, proportional to the candidates, exact in total, never more
   than the candidates of a type. With every priority equal (the default) this is one proportional split
   over all the types the layer engages.
6. Decoys are an ordinary threat type with their own kill probability; the kernel has no special case
   for them. What a leaker destroys is computed elsewhere.
7. Several layers may share a munition type (``munition_index``); a layer draws on the stock left by the
   layers before it, and the stock never goes negative.
8. Missile reserve (``reserve_rounds[r, l] = V``, default 0): a layer holds back ``V`` rounds of its
   munition for its *top-priority* types, those with the layer's lowest priority value among the types it
   engages. It never fires at a lower-priority type a round that would take the stock below ``V``; at
   top-priority types, which it serves first anyway, it may fire the whole stock. The stock is the stock
   left at that moment: after the earlier layers sharing the munition, after the layer's own fire at its
   top-priority types, and (shoot-look-shoot) after the earlier rounds; every round obeys the reserve.
   With stock ``S`` the layer fires at most ``max(0, S − V)`` rounds at lower-priority types, and fewer
   when top-priority targets took some: after 20 rounds at missiles from ``S = 30, V = 20`` it fires none
   at drones. A layer whose engaged types all share one priority value ignores its reserve.

Conservation holds exactly for every region and type: ``incoming = Σ_l killed + leakers``;
``killed ≤ engaged``; ``Σ_t engaged ≤ engagements_per_night``; ``munitions_left = munitions_on_hand −
Σ shots of the layers using that munition ≥ 0``; under salvo doctrine ``shots = k × engaged``.

Magazine-empty flag: a layer is flagged in a region when it wanted to fire and its munition had run out:
it left candidates unengaged with channels free and has not one more full salvo in stock (salvo), or
(shoot-look-shoot) it engaged fewer targets than it had channels and candidates for, or could not give a
surviving engaged target its next shot, and its stock is empty. Rounds held back by the reserve are not
"run out": a layer that stops because of its reserve, with a full salvo still in stock, is not flagged.

What limited a layer (the binding-constraint ledger's raw counts; they change no rule and no draw): for each
region and layer, the candidates of rule 2 and the candidates left without fire, each with one reason. With
``n0 = min(candidates, channels, magazine limit)``: ``n0 − engaged`` were held back by the reserve (rule 8);
``candidates − n0`` by the tighter of channels and magazine limit (channels when they are equal). In the
shoot-look-shoot rounds after the first, an engaged target left without its next shot counts once more: for
the reserve if the reserve withheld the round, else for the magazine. Nothing unserved: nothing bound.

Random draws: the rules are carried out by compiled loops (:mod:`sim.model.engagement.kernel`,
numba) over regions, layers and threat types, with one binomial draw per (region, layer or shoot-look-shoot
round, type) that has anything engaged; a count of zero draws nothing. The draws are NumPy's
``Generator.binomial`` numbers, taken from ``rng`` in the order NumPy's array calls would take them (layer
by layer, then round by round, each in C order of ``[R, T]``), so the same inputs and generator state give
the same outcome, and a plain NumPy implementation of the rules reproduces it draw for draw. Because the
number of draws depends on what happens, a caller that wants common random numbers across scenarios should
give each night its own stream (``numpy.random.SeedSequence.spawn``, or a generator moved to the night's
block with ``advance``, as :mod:`sim.model.engagement.streams` does) rather than share one stream over a whole
run.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["LayerSpec", "LayerTable", "NightOutcome", "layer_table", "resolve_night", "split_in_proportion"]

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

_ALL_EQUAL: Any = None  # default of LayerSpec.priority: replaced by zeros [T] at construction


def _read_only(array: NDArray[Any]) -> NDArray[Any]:
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class LayerSpec:
    """One layer of air defence in a region (EW, guns, interceptor drones, SHORAD, Patriot-class, ...).

    Instances are compared by identity. The arrays are copied and made read-only at construction, and the
    derived arrays (``salvo_kill_probability`` and the kernel's priority classes) are computed once here so
    the kernel does not repeat the work every night.

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
        priority: ``[T]`` integers, optional (default all 0): the order in which the layer serves threat
            types when it cannot serve every candidate; lower values first (e.g. missiles 0, drones and
            decoys 1). The engaged types with the lowest value are the layer's *top-priority* types, the
            ones its ``reserve_rounds`` (see :func:`resolve_night`) are held back for. Stored as a
            read-only int64 array.
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
    priority: IntArray = _ALL_EQUAL
    salvo_kill_probability: FloatArray = field(init=False, repr=False)
    # Kernel constants, derived once (see _derive_kernel_constants).
    _salvo: bool = field(init=False, repr=False)
    _rounds_per_target: int = field(init=False, repr=False)
    _draw_probability: FloatArray = field(init=False, repr=False)
    _classes: IntArray = field(init=False, repr=False)
    _class_count: int = field(init=False, repr=False)

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
        if self.priority is None:
            priority = np.zeros(kill_probability.shape, dtype=np.int64)
        else:
            priority = np.array(self.priority)
            if priority.dtype == np.bool_ or not np.issubdtype(priority.dtype, np.integer):
                raise TypeError(f"layer {self.name!r}: priority must be an integer array, got dtype {priority.dtype}")
            if priority.shape != kill_probability.shape:
                raise ValueError(
                    f"layer {self.name!r}: priority has shape {priority.shape} but kill_probability has shape "
                    f"{kill_probability.shape}; both must be [T]"
                )
            priority = priority.astype(np.int64)
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
        set_field(self, "priority", _read_only(priority))
        salvo = 1.0 - (1.0 - kill_probability) ** self.shots_per_target
        set_field(self, "salvo_kill_probability", _read_only(salvo))
        self._derive_kernel_constants()

    def _derive_kernel_constants(self) -> None:
        """Precompute what the kernel needs for this layer.

        The priority classes are the distinct priority values of the engaged types, most urgent first:
        ``_classes[t]`` is the class of type ``t`` (0 for the top-priority types), -1 where the layer does not
        engage ``t``; ``_class_count`` is the number of classes.
        """
        set_field = object.__setattr__
        k = self.shots_per_target
        salvo = not self.shoot_look_shoot or k == 1  # shoot-look-shoot with one round is a salvo of one
        set_field(self, "_salvo", salvo)
        set_field(self, "_rounds_per_target", k if salvo else 1)  # rounds one engaged target needs at once
        set_field(self, "_draw_probability", self.salvo_kill_probability if salvo else self.kill_probability)
        engages = self.engages
        values = np.unique(self.priority[engages])
        classes = np.where(engages, np.searchsorted(values, self.priority), -1).astype(np.int64)
        set_field(self, "_classes", _read_only(classes))
        set_field(self, "_class_count", len(values))


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
            doctrine: it left candidates unengaged with channel capacity free, and has not enough munitions
            left for one more full salvo. Under shoot-look-shoot: it could not give one shot to every
            target it had capacity for, or could not fire a follow-up shot at a surviving engaged target,
            and its stock is empty. Rounds held back by a reserve do not count as run out.
        cost_per_shot_eur: ``[L]`` cost of one shot of each layer, in euros (copied from the layers).
        candidates: ``[R, L]`` threats each layer could engage (rule 2), or None for an outcome built by hand.
        unserved: ``[R, L, 3]`` why candidates went without fire, by limit: fire channels, magazine, reserve
            (columns :data:`~sim.model.engagement.kernel.LIMIT_CHANNELS`, ``LIMIT_MAGAZINE``, ``LIMIT_RESERVE``;
            see "What limited a layer" in the module docstring), or None for an outcome built by hand.
    """

    killed: IntArray
    engaged: IntArray
    shots: IntArray
    leakers: IntArray
    munitions_left: IntArray
    magazine_empty: BoolArray
    cost_per_shot_eur: FloatArray
    candidates: IntArray | None = None
    unserved: IntArray | None = None

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

    The kernel applies this rule within each priority class of a layer (see the module docstring, rule 5).

    Args:
        counts: ``[R, T]`` non-negative integer counts (e.g. candidates per threat type).
        totals: ``[R]`` integers with ``0 ≤ totals[r] ≤ counts[r].sum()``.

    Returns:
        ``[R, T]`` int64 allocation with row sums equal to ``totals`` and ``0 ≤ allocation ≤ counts``.

    Raises:
        ValueError: if the shapes do not match or a count or total is out of range.
    """
    counts_array = np.ascontiguousarray(counts, dtype=np.int64)
    totals_array = np.asarray(totals, dtype=np.int64)
    if counts_array.ndim != 2 or totals_array.shape != counts_array.shape[:1]:
        raise ValueError(f"need counts [R, T] and totals [R], got {counts_array.shape} and {totals_array.shape}")
    counts_total = counts_array.sum(axis=1)
    if np.any(counts_array < 0) or np.any(totals_array < 0) or np.any(totals_array > counts_total):
        raise ValueError("need counts ≥ 0 and 0 ≤ totals ≤ counts.sum(axis=1)")
    from sim.model.engagement.kernel import split_row  # compiled code: imported on use (see resolve_night)

    one_class = np.zeros(counts_array.shape[1], dtype=np.int64)
    allocation = np.zeros_like(counts_array)
    for row, total in enumerate(totals_array.tolist()):
        split_row(counts_array[row], one_class, 1, total, allocation[row])  # the kernel's own rule 5
    return allocation


class LayerTable:
    """Per-layer constants of one sequence of layers, stacked over the layer axis for the compiled loops.

    Built once per sequence by :func:`layer_table`; callers that run the compiled loops themselves (the
    model's night, :mod:`sim.model.engagement.night`) take the kernel's arguments from here.
    """

    __slots__ = (
        "class_count",
        "classes",
        "cost_per_shot_eur",
        "draw_probability",
        "layers",
        "munition_index",
        "n_types",
        "salvo",
        "shots_per_target",
    )

    def __init__(self, layers: tuple[LayerSpec, ...]) -> None:
        self.layers = layers
        self.n_types = layers[0].engages.shape[0] if layers else 0
        consistent = all(layer.engages.shape[0] == self.n_types for layer in layers)
        n_types = self.n_types if consistent else 0  # else resolve_night rejects the layers before using these
        self.classes = np.full((len(layers), n_types), -1, dtype=np.int64)
        self.draw_probability = np.zeros((len(layers), n_types))
        for index, layer in enumerate(layers if consistent else ()):
            self.classes[index] = layer._classes
            self.draw_probability[index] = layer._draw_probability
        self.class_count = np.array([layer._class_count for layer in layers], dtype=np.int64)
        self.shots_per_target = np.array([layer.shots_per_target for layer in layers], dtype=np.int64)
        self.salvo = np.array([layer._salvo for layer in layers], dtype=np.bool_)
        self.munition_index = np.array([layer.munition_index for layer in layers], dtype=np.int64)
        self.cost_per_shot_eur = np.array([layer.cost_per_shot_eur for layer in layers], dtype=np.float64)


# Layer sequences are few and reused every night; LayerSpec is immutable and hashed by identity, and the
# cache holds the layers themselves, so an entry can never be mistaken for another sequence.
_LAYER_TABLES: dict[tuple[LayerSpec, ...], LayerTable] = {}
_CACHE_SIZE = 64


def layer_table(layers: Sequence[LayerSpec]) -> LayerTable:
    """The stacked constants of a sequence of layers (cached per sequence)."""
    key = layers if type(layers) is tuple else tuple(layers)
    table = _LAYER_TABLES.get(key)
    if table is None:
        if len(_LAYER_TABLES) >= _CACHE_SIZE:
            _LAYER_TABLES.clear()
        table = _LAYER_TABLES[key] = LayerTable(key)
    return table


_INT64 = np.dtype(np.int64)


def _as_int_matrix(values: ArrayLike, name: str) -> IntArray:
    array = np.asarray(values)
    if array.ndim != 2:
        raise ValueError(f"{name} must be a 2-D integer array, got shape {array.shape}")
    if array.dtype is not _INT64 and array.dtype != _INT64:  # identity first: the common case, and cheap
        if array.size and not np.issubdtype(array.dtype, np.integer):
            raise TypeError(f"{name} must hold integers, got dtype {array.dtype}")
        array = array.astype(np.int64)
    return array


def _validate(
    layers: Sequence[LayerSpec],
    incoming: IntArray,
    capacity: IntArray,
    munitions: IntArray,
    reserve: IntArray | None,
) -> None:
    n_regions, n_types = incoming.shape
    if capacity.shape != (n_regions, len(layers)):
        raise ValueError(f"engagements_per_night must be [R, L] = {(n_regions, len(layers))}, got {capacity.shape}")
    if munitions.shape[0] != n_regions:
        raise ValueError(f"munitions_on_hand must be [R, M] with R = {n_regions}, got {munitions.shape}")
    if reserve is not None and reserve.shape != capacity.shape:
        raise ValueError(f"reserve_rounds must be [R, L] = {(n_regions, len(layers))}, got {reserve.shape}")
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
        ("reserve_rounds", reserve),
    ):
        if array is not None and array.size and array.min() < 0:
            raise ValueError(f"{name} must be ≥ 0 everywhere")


def resolve_night(
    layers: Sequence[LayerSpec],
    incoming: ArrayLike,
    engagements_per_night: ArrayLike,
    munitions_on_hand: ArrayLike,
    rng: np.random.Generator,
    *,
    reserve_rounds: ArrayLike | None = None,
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
        reserve_rounds: Optional ``[R, L]`` integers ≥ 0 (default: none): rounds of the layer's munition
            held back for its top-priority types (module docstring, rule 8). The layer never fires at its
            other types a round that would take the stock of its munition, as left at that moment, below
            the reserve. No effect on a layer whose engaged types all share one priority value.
        validate: Check the layers' types and that every count is ≥ 0. A caller that
            has validated its setup once may pass ``False`` in its inner loop. Shapes are checked either
            way: the compiled loops do not check bounds.

    Returns:
        The :class:`NightOutcome`.

    Raises:
        ValueError: if ``validate`` and the shapes disagree or a count is negative.
        TypeError: if ``validate`` and an argument has the wrong type.
    """
    # The compiled loops are imported on first use: LayerSpec is needed wherever a scenario's tables are built,
    # also in processes that never resolve a night (a run's parent process), which need not load numba.
    from sim.model.engagement.kernel import resolve_layers
    from sim.model.engagement.streams import generator_address

    survivors = _as_int_matrix(incoming, "incoming").copy()  # a C-contiguous copy: the loops update it
    capacity = np.ascontiguousarray(_as_int_matrix(engagements_per_night, "engagements_per_night"))
    munitions_left = _as_int_matrix(munitions_on_hand, "munitions_on_hand").copy()
    if reserve_rounds is None:
        reserve = np.zeros_like(capacity)
    else:
        reserve = np.ascontiguousarray(_as_int_matrix(reserve_rounds, "reserve_rounds"))
    if validate:
        _validate(layers, survivors, capacity, munitions_left, reserve)
    table = layer_table(layers)
    # Compiled code does not check bounds: these shape checks run whatever ``validate`` says.
    n_regions, n_types = survivors.shape
    if table.classes.shape[1] != n_types and table.layers:
        raise ValueError(f"the layers have {table.n_types} threat types, incoming has {n_types}")
    if capacity.shape != (n_regions, len(table.layers)) or reserve.shape != capacity.shape:
        raise ValueError(f"engagements_per_night and reserve_rounds must be [R, L] = {(n_regions, len(table.layers))}")
    if munitions_left.shape[0] != n_regions or (
        table.layers and int(table.munition_index.max()) >= munitions_left.shape[1]
    ):
        raise ValueError(f"munitions_on_hand must be [R, M] with R = {n_regions} and a column for every layer")
    killed, engaged, shots, magazine_empty, candidates, unserved = resolve_layers(
        survivors,
        capacity,
        munitions_left,
        reserve,
        table.classes,
        table.class_count,
        table.draw_probability,
        table.shots_per_target,
        table.salvo,
        table.munition_index,
        generator_address(rng),
    )
    return NightOutcome(
        killed=killed,
        engaged=engaged,
        shots=shots,
        leakers=survivors,
        munitions_left=munitions_left,
        magazine_empty=magazine_empty,
        cost_per_shot_eur=table.cost_per_shot_eur.copy(),
        candidates=candidates,
        unserved=unserved,
    )
