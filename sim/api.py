"""The Python API, mirroring the command line: load a scenario, run it, compare, sweep.

This module sits above every layer and wires them together; the CLI calls it and so can a notebook::

    from sim.api import load_scenario, run
    scenario = load_scenario("scenarios/baseline.yaml", overrides=["horizon_days=90"])
    results = run(scenario, replications=20, seed=1, workers=2)
    results.summary.loc["ukraine_drone_intercept_rate"]
    comparison = compare([scenario, load_scenario("scenarios/drone_wall.yaml")], replications=20)
    comparison.comparison  # paired differences from the first scenario
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sim.model.metrics import FAMILY_NAMES, METRIC_NAMES, is_known_metric
from sim.scenario.errors import closest_match
from sim.scenario.files import AllowedRoot, shipped_scenarios_folder
from sim.scenario.loader import load_scenario as _load_scenario
from sim.scenario.loader import read_scenario_bytes, validate_document
from sim.scenario.model import Scenario
from sim.scenario.references import Finding

if TYPE_CHECKING:  # the experiment layer pulls in pandas, scipy and pyarrow: import it only to run
    from sim.experiment.compare import CompareResults
    from sim.experiment.replications import RunResults
    from sim.experiment.sweep import SweepResults


def _unknown_metric(path: tuple[str | int, ...], name: str, names: list[str]) -> Finding:
    return Finding(
        path,
        f"unknown metric '{name}'",
        expected="a metric listed by `sim metrics`",
        suggestion=closest_match(name, names),
    )


def check_objective_metrics(scenario: Scenario) -> Iterator[Finding]:
    """Every objective, hypothesis and ``min_differences`` entry names a metric of the model's registry."""
    names = sorted(METRIC_NAMES | {f"{family}.<key>" for family in FAMILY_NAMES})
    for index, objective in enumerate(scenario.objectives):
        if not is_known_metric(objective.metric):
            yield _unknown_metric(("objectives", index, "metric"), objective.metric, names)
    for index, hypothesis in enumerate(scenario.hypotheses):
        if not is_known_metric(hypothesis.metric):
            yield _unknown_metric(("hypotheses", index, "metric"), hypothesis.metric, names)
    for key in scenario.min_differences:
        if not (is_known_metric(key) or key in FAMILY_NAMES):
            yield _unknown_metric(("min_differences", key), key, sorted(METRIC_NAMES | FAMILY_NAMES))


def check_hypotheses_against(path: Path) -> Callable[[Scenario], Iterator[Finding]]:
    """A check that every hypothesis's ``against`` names a scenario file (``<name>.yaml``) beside ``path`` or in the
    shipped ``scenarios/`` folder."""

    def check(scenario: Scenario) -> Iterator[Finding]:
        folder = Path(path).parent
        shipped = shipped_scenarios_folder()
        folders = [folder] + ([shipped] if shipped is not None else [])
        available = sorted({p.stem for place in folders for p in place.glob("*.yaml") if p.is_file()})
        places = " and ".join(str(place.resolve()) for place in folders)
        for index, hypothesis in enumerate(scenario.hypotheses):
            against = hypothesis.against
            if against not in available:
                name = against.removesuffix(".yaml")  # a file name given for a scenario's name
                yield Finding(
                    ("hypotheses", index, "against"),
                    f"no scenario '{against}' beside this file or among the shipped ones (looked for {name}.yaml in "
                    f"{places})",
                    expected="the name of a scenario file in the same folder or in scenarios/, without '.yaml', "
                    "e.g. baseline",
                    suggestion=name if name != against and name in available else closest_match(against, available),
                )

    return check


def load_scenario(
    path: str | Path, overrides: Sequence[str] = (), *, allowed_roots: Sequence[AllowedRoot] | None = None
) -> Scenario:
    """Load, merge (``extends``), override (``--set``) and validate a scenario file.

    Args:
        path: The scenario YAML file.
        overrides: ``key.path=value`` strings applied after ``extends`` is resolved.
        allowed_roots: The only folders ``extends`` and ``article_file`` may reach; default: the file's own folder
            and the shipped ``scenarios/`` folder (see :func:`sim.scenario.files.resolve_named_path`).

    Returns:
        The typed, immutable scenario.

    Raises:
        sim.scenario.errors.ScenarioError: every problem found, each with file:line:column and key path.
    """
    return _load_scenario(
        path,
        overrides,
        extra_checks=(check_objective_metrics, check_hypotheses_against(Path(path))),
        allowed_roots=allowed_roots,
    )


def load_uploaded_scenario(raw: bytes, name: str, overrides: Sequence[str] = ()) -> Scenario:
    """Load a scenario held in memory (a file a stranger uploaded), which may only extend the shipped scenarios.

    Nothing is written to disk. A relative ``extends`` or ``article_file`` starts from the shipped ``scenarios/``
    folder and must stay inside it (``extends: baseline.yaml`` works; ``extends: /etc/passwd`` is refused, by
    rule, without reading it); the bytes are held to the same size limit as files.

    Args:
        raw: The file's bytes.
        name: The file's name as uploaded (problems name it ``"NAME (uploaded)"``).
        overrides: ``key.path=value`` strings applied after ``extends`` is resolved.

    Raises:
        sim.scenario.errors.ScenarioError: every problem found, each located in the upload or its parent.
    """
    shipped = shipped_scenarios_folder()
    roots = () if shipped is None else (AllowedRoot(shipped, "the shipped scenarios folder"),)
    folder = shipped if shipped is not None else Path.cwd()
    document = read_scenario_bytes(raw, f"{name} (uploaded)", folder, roots, overrides)
    return validate_document(
        document, extra_checks=(check_objective_metrics, check_hypotheses_against(folder / f"{name}.yaml"))
    )


def run(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    *,
    scheduler: str | None = None,
    results_root: str | Path = "results",
    progress: bool | None = False,
) -> RunResults:
    """Run a scenario's seeded replications (see :func:`sim.experiment.replications.run_scenario`).

    Returns:
        :class:`RunResults` with ``metrics`` (one row per replication), ``summary`` (mean and 90% interval
        per metric), ``objectives`` and ``timeseries()``; everything is also written to ``results.run_dir``.
    """
    from sim.experiment.execution import Execution
    from sim.experiment.replications import run_scenario

    execution = Execution(workers=workers, scheduler=scheduler, results_root=Path(results_root), progress=progress)
    return run_scenario(scenario, replications=replications, seed=seed, execution=execution)


def compare(
    scenarios: Sequence[Scenario],
    replications: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    *,
    scheduler: str | None = None,
    results_root: str | Path = "results",
    progress: bool | None = False,
) -> CompareResults:
    """Run scenarios under common random numbers and compare each with the first (see ``sim compare``).

    Returns:
        ``CompareResults`` with per-replication ``metrics``, the ``comparison`` table (mean, 90% interval, paired
        difference from the first scenario with its 90% CI, significance) and ``objectives`` per scenario.
    """
    from sim.experiment.compare import compare_scenarios
    from sim.experiment.execution import Execution

    return compare_scenarios(
        [(scenario.name, scenario, None) for scenario in scenarios],
        replications=replications,
        seed=seed,
        execution=Execution(workers=workers, scheduler=scheduler, results_root=Path(results_root), progress=progress),
    )


def sweep(
    scenario_file: str | Path,
    vary: Sequence[str] = (),
    method: str | None = None,
    samples: int | None = None,
    replications: int | None = None,
    *,
    overrides: Sequence[str] = (),
    outcomes: Sequence[str] | None = None,
    seed: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    results_root: str | Path = "results",
    progress: bool | None = False,
) -> SweepResults:
    """Sweep a scenario's parameters (``vary`` as ``"key=low:high"``; none: every contested one); see ``sim sweep``.

    Returns:
        ``SweepResults`` with the design, per-point outcome means and the sensitivity indices per outcome.
    """
    from sim.experiment.execution import Execution
    from sim.experiment.sweep import sweep_scenario

    return sweep_scenario(
        scenario_file,
        overrides=overrides,
        vary=vary,
        method=method,
        samples=samples,
        outcomes=outcomes,
        replications=replications,
        seed=seed,
        execution=Execution(workers=workers, scheduler=scheduler, results_root=Path(results_root), progress=progress),
        extra_checks=(check_objective_metrics,),
    )
