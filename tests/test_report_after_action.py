"""``sim.report.after_action``: the after-action report's page drawn from a ``report.document`` Document."""

from __future__ import annotations

import pytest

from sim.report.after_action import after_action_html, after_action_markdown
from sim.report.document import Bullets, Cell, Code, Document, Paragraph, Section, Table

DOCUMENT = Document(
    title="AAR & co",
    subtitle="Made by `sim aar`.",
    sections=(
        Section(
            "overview",
            "Overview",
            (Table(("", ""), (("Name", Cell("a|b", "good")),)),),
            subsections=(Section("detail", "Detail", (Paragraph("**Bold** and *it*"), Bullets(("x <y>",)))),),
        ),
    ),
)


def test_markdown_keeps_the_reports_emphasis_and_escapes_html() -> None:
    assert after_action_markdown(DOCUMENT) == "\n".join(
        [
            "# AAR &amp; co",
            "",
            "Made by `sim aar`.",
            "",
            "## Overview",
            "",
            "|  |  |",
            "|---|---|",
            "| Name | a\\|b |",
            "",
            "### Detail",
            "",
            "**Bold** and *it*",
            "",
            "- x &lt;y&gt;",
            "",
        ]
    )


def test_html_renders_the_emphasis_and_nests_subsections() -> None:
    page = after_action_html(DOCUMENT)
    assert "<title>AAR &amp; co</title>" in page and "<p>Made by <code>sim aar</code>.</p>" in page
    assert "<h2>Overview</h2><table><thead><tr><th></th><th></th></tr></thead>" in page.replace("\n", "")
    assert "<td>Name</td><td>a|b</td>" in page
    assert "<h3>Detail</h3>\n<p><strong>Bold</strong> and <em>it</em></p>\n<ul><li>x &lt;y&gt;</li></ul>" in page
    assert page.endswith("</body></html>")


@pytest.mark.parametrize("render", [after_action_markdown, after_action_html])
def test_a_block_the_page_does_not_show_is_refused(render) -> None:
    document = Document("t", "", (Section("s", "S", (Code("sim run"),)),))
    with pytest.raises(TypeError, match="paragraphs, bullet lists and tables, not Code"):
        render(document)
