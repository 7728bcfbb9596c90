"""A report as plain data, rendered to Markdown and to one self-contained HTML file.

A :class:`Document` is a title and a list of :class:`Section` objects, each holding blocks: paragraphs, bullet
lists, tables, code and figures. :func:`render_html` writes one HTML file that opens offline: every figure is
a PNG embedded as a ``data:`` URI, the style sheet is inline, nothing is fetched from anywhere, every piece of
text is escaped, and a print style sheet keeps figures and table rows whole on paper. :func:`render_markdown`
writes the same content as GitHub-flavoured Markdown that links to the figure files.
"""

from __future__ import annotations

import base64
import html
import os
from dataclasses import dataclass, field
from pathlib import Path

from sim.report.figures.saving import FigureFiles

Tone = str
"""A cell's emphasis: ``good``, ``bad``, ``neutral`` or empty."""


@dataclass(frozen=True)
class Cell:
    """A table cell with an emphasis (HTML colours it; Markdown prints it in bold when good or bad)."""

    text: str
    tone: Tone = ""


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of plain text."""

    text: str
    tone: Tone = ""


@dataclass(frozen=True)
class Bullets:
    """A bulleted list of plain-text items."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class Findings:
    """Numbered key findings, each a plain sentence linking to the section (HTML anchor) that holds its evidence."""

    items: tuple[tuple[str, str], ...]  # (sentence, section id)


@dataclass(frozen=True)
class Details:
    """Blocks folded away behind a one-line summary (HTML ``<details>``; Markdown shows them after the summary)."""

    summary: str
    blocks: tuple[Paragraph | Bullets | Table, ...]


@dataclass(frozen=True)
class Code:
    """A block of code or a command, shown verbatim."""

    text: str


@dataclass(frozen=True)
class Table:
    """A table. ``numeric`` marks right-aligned columns; ``wrap`` marks columns that may break anywhere."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str | Cell, ...], ...]
    caption: str = ""
    numeric: tuple[int, ...] = ()
    wrap: tuple[int, ...] = ()
    compact: bool = False  # a narrow table (key–value facts) rather than one across the page


@dataclass(frozen=True)
class FigureBlock:
    """A figure saved as PNG and SVG, with a caption (the report numbers figures in order)."""

    files: FigureFiles
    title: str
    caption: str


Block = Paragraph | Bullets | Findings | Details | Code | Table | FigureBlock


@dataclass(frozen=True)
class Section:
    """A section with an ``id`` (its HTML anchor), a title, its blocks and its subsections."""

    id: str
    title: str
    blocks: tuple[Block, ...] = ()
    subsections: tuple[Section, ...] = ()


@dataclass(frozen=True)
class Document:
    """A whole report."""

    title: str
    subtitle: str
    sections: tuple[Section, ...]
    footer: str = ""
    meta: dict[str, str] = field(default_factory=dict)


# ----------------------------------------------------------------------------------------------------------------
# HTML
# ----------------------------------------------------------------------------------------------------------------

CSS = """
:root { --ink: #1b1b1b; --muted: #555; --rule: #d4d4d4; --accent: #0072B2; --good: #005f96; --bad: #a94400; }
* { box-sizing: border-box; }
body { font-family: "Segoe UI", Roboto, "Helvetica Neue", "DejaVu Sans", Arial, sans-serif; color: var(--ink);
  max-width: 1180px; margin: 0 auto; padding: 28px 36px 64px; line-height: 1.5; font-size: 17px; background: #fff; }
header { border-bottom: 4px solid var(--accent); margin-bottom: 1.2rem; padding-bottom: .6rem; }
h1 { font-size: 2.1rem; margin: 0 0 .2rem; line-height: 1.2; }
.subtitle { color: var(--muted); margin: 0; font-size: 1.05rem; }
h2 { font-size: 1.55rem; border-bottom: 2px solid var(--rule); padding-bottom: .2rem; margin: 2.6rem 0 .8rem; }
h3 { font-size: 1.2rem; margin: 1.8rem 0 .5rem; }
p { margin: .5rem 0 .9rem; }
nav.toc { background: #f4f6f9; border-left: 4px solid var(--accent); padding: .6rem 1.2rem; margin: 1rem 0 1.5rem; }
nav.toc ol { margin: .2rem 0; padding-left: 1.3rem; columns: 2; }
nav.toc a { color: var(--accent); text-decoration: none; }
.table-wrap { overflow-x: auto; margin: .6rem 0 1.4rem; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
caption { caption-side: top; text-align: left; color: var(--muted); padding-bottom: .3rem; font-size: .95rem; }
th, td { border-bottom: 1px solid var(--rule); padding: .32rem .55rem; text-align: left; vertical-align: top; }
th { background: #eef1f5; font-weight: 600; }
tbody tr:nth-child(even) { background: #fafafa; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.wrap { overflow-wrap: break-word; min-width: 9rem; }
table.compact { width: auto; min-width: 50%; }
table.compact td:first-child { color: var(--muted); white-space: nowrap; padding-right: 2rem; }
table.long { font-size: .84rem; }
.good { color: var(--good); font-weight: 700; }
.bad { color: var(--bad); font-weight: 700; }
.neutral { color: var(--muted); }
p.good, p.bad { border-left: 4px solid currentColor; padding-left: .7rem; }
figure { margin: 1.6rem 0 2.2rem; }
figure img { width: 100%; height: auto; display: block; border: 1px solid #ececec; }
figcaption { color: var(--muted); font-size: .95rem; margin-top: .4rem; }
figcaption b { color: var(--ink); }
pre { background: #f4f4f4; border: 1px solid #e2e2e2; padding: .7rem .9rem; white-space: pre-wrap;
  overflow-wrap: anywhere; font-size: .9rem; }
code, pre { font-family: "DejaVu Sans Mono", Consolas, Menlo, monospace; }
ul { margin: .4rem 0 1rem; }
ol.findings { margin: .4rem 0 1rem; font-size: 1.05rem; line-height: 1.5; }
ol.findings li { margin-bottom: .35rem; }
details { margin: .4rem 0 1rem; }
details > summary { cursor: pointer; font-weight: 600; }
footer { margin-top: 3rem; color: var(--muted); font-size: .85rem; border-top: 1px solid var(--rule);
  padding-top: .6rem; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  nav.toc { display: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  h3 { break-after: avoid; page-break-after: avoid; }
  figure, tr, pre { break-inside: avoid; page-break-inside: avoid; }
  figure img { border: none; }
  .table-wrap { overflow: visible; }
  a { color: inherit; text-decoration: none; }
}
"""


_NUMERIC_HEADER = ' class="num"'


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


def _breakable(escaped: str) -> str:
    """Let the browser break long key paths and file names after dots, slashes and underscores."""
    for character in (".", "/", "_"):
        escaped = escaped.replace(character, character + "<wbr>")
    return escaped


def _tone_class(tone: Tone) -> str:
    return f' class="{tone}"' if tone in ("good", "bad", "neutral") else ""


def _html_table(table: Table) -> str:
    names = (["long"] if len(table.rows) > 40 else []) + (["compact"] if table.compact else [])
    classes = f' class="{" ".join(names)}"' if names else ""
    parts = [f'<div class="table-wrap"><table{classes}>']
    if table.caption:
        parts.append(f"<caption>{_escape(table.caption)}</caption>")
    header = "".join(
        f'<th scope="col"{_NUMERIC_HEADER if index in table.numeric else ""}>{_breakable(_escape(column))}</th>'
        for index, column in enumerate(table.columns)
    )
    parts.append(f"<thead><tr>{header}</tr></thead><tbody>")
    for row in table.rows:
        cells = []
        for index, value in enumerate(row):
            cell = value if isinstance(value, Cell) else Cell(value)
            classes_ = ["num"] if index in table.numeric else []
            if index in table.wrap:
                classes_.append("wrap")
            if cell.tone in ("good", "bad", "neutral"):
                classes_.append(cell.tone)
            attribute = f' class="{" ".join(classes_)}"' if classes_ else ""
            text = _escape(cell.text)
            if index in table.wrap:
                text = _breakable(text)
            cells.append(f"<td{attribute}>{text}</td>")
        parts.append(f"<tr>{''.join(cells)}</tr>")
    parts.append("</tbody></table></div>")
    return "".join(parts)


def _data_uri(png: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(png.read_bytes()).decode("ascii")


def _html_block(block: Block, figure_numbers: dict[int, int]) -> str:
    if isinstance(block, Paragraph):
        return f"<p{_tone_class(block.tone)}>{_escape(block.text)}</p>"
    if isinstance(block, Bullets):
        items = "".join(f"<li>{_escape(item)}</li>" for item in block.items)
        return f"<ul>{items}</ul>"
    if isinstance(block, Findings):
        items = "".join(
            f'<li>{_escape(text)} <a href="#{_escape(anchor)}">(evidence)</a></li>' for text, anchor in block.items
        )
        return f'<ol class="findings">{items}</ol>'
    if isinstance(block, Details):
        inner = "".join(_html_block(inner_block, figure_numbers) for inner_block in block.blocks)
        return f"<details><summary>{_escape(block.summary)}</summary>{inner}</details>"
    if isinstance(block, Code):
        return f"<pre><code>{_escape(block.text)}</code></pre>"
    if isinstance(block, Table):
        return _html_table(block)
    number = figure_numbers[id(block)]
    return (
        f'<figure id="figure-{number}"><img src="{_data_uri(block.files.png)}" alt="{_escape(block.title)}">'
        f"<figcaption><b>Figure {number}. {_escape(block.title)}.</b> {_escape(block.caption)}</figcaption></figure>"
    )


def _number_figures(sections: tuple[Section, ...], numbers: dict[int, int]) -> None:
    for section in sections:
        for block in section.blocks:
            if isinstance(block, FigureBlock):
                numbers[id(block)] = len(numbers) + 1
        _number_figures(section.subsections, numbers)


def _html_section(section: Section, level: int, numbers: dict[int, int]) -> str:
    tag = f"h{min(level, 6)}"
    parts = [f'<section id="{_escape(section.id)}"><{tag}>{_escape(section.title)}</{tag}>']
    parts.extend(_html_block(block, numbers) for block in section.blocks)
    parts.extend(_html_section(subsection, level + 1, numbers) for subsection in section.subsections)
    parts.append("</section>")
    return "\n".join(parts)


def render_html(document: Document) -> str:
    """Render a document as one self-contained HTML page (figures embedded, style inline, no external links).

    Args:
        document: The report.

    Returns:
        The HTML text.
    """
    numbers: dict[int, int] = {}
    _number_figures(document.sections, numbers)
    toc = "".join(
        f'<li><a href="#{_escape(section.id)}">{_escape(section.title)}</a></li>' for section in document.sections
    )
    meta = "".join(f'<meta name="{_escape(name)}" content="{_escape(value)}">' for name, value in document.meta.items())
    body = "\n".join(_html_section(section, 2, numbers) for section in document.sections)
    footer = f"<footer>{_escape(document.footer)}</footer>" if document.footer else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"{meta}\n<title>{_escape(document.title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f'<header><h1>{_escape(document.title)}</h1><p class="subtitle">{_escape(document.subtitle)}</p></header>\n'
        f'<nav class="toc" aria-label="Contents"><b>Contents</b><ol>{toc}</ol></nav>\n'
        f"<main>\n{body}\n</main>\n{footer}\n</body>\n</html>\n"
    )


# ----------------------------------------------------------------------------------------------------------------
# Markdown
# ----------------------------------------------------------------------------------------------------------------


def _md_text(text: str) -> str:
    """Escape characters Markdown would read as markup in running text."""
    escaped = text.replace("\\", "\\\\")
    for character in ("*", "_", "`", "[", "]", "<", ">", "|", "#"):
        escaped = escaped.replace(character, "\\" + character)
    return escaped


def _md_cell(value: str | Cell) -> str:
    cell = value if isinstance(value, Cell) else Cell(value)
    text = _md_text(cell.text).replace("\n", " ")
    return f"**{text}**" if cell.tone in ("good", "bad") and text else text


def _md_table(table: Table) -> str:
    lines = []
    if table.caption:
        lines.append(f"*{_md_text(table.caption)}*")
        lines.append("")
    lines.append("| " + " | ".join(_md_text(column) for column in table.columns) + " |")
    lines.append(
        "|" + "|".join("---:" if index in table.numeric else "---" for index in range(len(table.columns))) + "|"
    )
    for row in table.rows:
        lines.append("| " + " | ".join(_md_cell(value) for value in row) + " |")
    return "\n".join(lines)


def _md_block(block: Block, numbers: dict[int, int], base_dir: Path) -> str:
    if isinstance(block, Paragraph):
        text = _md_text(block.text)
        return f"**{text}**" if block.tone in ("good", "bad") else text
    if isinstance(block, Bullets):
        return "\n".join(f"- {_md_text(item)}" for item in block.items)
    if isinstance(block, Findings):
        return "\n".join(
            f"{number}. {_md_text(text)} ([evidence](#{anchor}))"
            for number, (text, anchor) in enumerate(block.items, start=1)
        )
    if isinstance(block, Details):
        return "\n\n".join([f"*{_md_text(block.summary)}*"] + [_md_block(b, numbers, base_dir) for b in block.blocks])
    if isinstance(block, Code):
        fence = "````" if "```" in block.text else "```"
        return f"{fence}\n{block.text}\n{fence}"
    if isinstance(block, Table):
        return _md_table(block)
    number = numbers[id(block)]
    png = Path(os.path.relpath(block.files.png, base_dir)).as_posix()
    svg = Path(os.path.relpath(block.files.svg, base_dir)).as_posix()
    title = _md_text(block.title)
    return f"![{title}]({png})\n\n**Figure {number}. {title}.** {_md_text(block.caption)} ([SVG]({svg}))"


def _md_section(section: Section, level: int, numbers: dict[int, int], base_dir: Path) -> str:
    anchor = f'<a id="{_escape(section.id)}"></a>\n\n' if section.id else ""
    parts = [f"{anchor}{'#' * min(level, 6)} {_md_text(section.title)}"]
    parts.extend(_md_block(block, numbers, base_dir) for block in section.blocks)
    parts.extend(_md_section(subsection, level + 1, numbers, base_dir) for subsection in section.subsections)
    return "\n\n".join(parts)


def render_markdown(document: Document, base_dir: Path) -> str:
    """Render a document as Markdown whose figure links are relative to ``base_dir`` (where the file goes).

    Args:
        document: The report.
        base_dir: The folder the Markdown file is written to.

    Returns:
        The Markdown text.
    """
    numbers: dict[int, int] = {}
    _number_figures(document.sections, numbers)
    parts = [f"# {_md_text(document.title)}", f"*{_md_text(document.subtitle)}*"]
    parts.append("Contents: " + " · ".join(_md_text(section.title) for section in document.sections))
    parts.extend(_md_section(section, 2, numbers, base_dir) for section in document.sections)
    if document.footer:
        parts.append("---\n\n" + _md_text(document.footer))
    return "\n\n".join(parts) + "\n"
