"""The model reference page is generated from the registries and committed; it must match them."""

from __future__ import annotations

from pathlib import Path

from sim.model.documentation import reference_markdown
from sim.model.metrics import FAMILIES, METRICS
from sim.model.policies.registry import SLOTS

PAGE = Path(__file__).resolve().parents[1] / "docs" / "reference.md"


def test_committed_reference_page_is_up_to_date() -> None:
    assert PAGE.read_text(encoding="utf-8") == reference_markdown(), "run: sim docs --out docs/reference.md"


def test_the_page_documents_every_policy_and_metric() -> None:
    page = reference_markdown()
    for slot in SLOTS:
        assert f"### `{slot.key}`" in page
        for name in slot.implementations:
            assert f"**`{name}`**" in page, name
    for metric in METRICS:
        assert f"| `{metric.name}` |" in page, metric.name
    for family in FAMILIES:
        assert f"| `{family.name}.<key>` |" in page, family.name
