"""The after-action report's page: a :class:`~sim.report.document.Document` rendered the way exercise planners
receive an HSEEP After-Action Report / Improvement Plan.

The after-action report (:mod:`sim.tabletop.aar`) is built from the same blocks as every other report — a title,
an introduction (the document's ``subtitle``), sections of paragraphs, bullet lists and tables — but is printed as
a plain page: no table of contents, no figures, and the report's own emphasis kept. Its rules write ``**bold**``,
``*italic*`` and `` `code` `` into the text (a capability in bold before its observation); Markdown keeps them as
written and HTML renders them, while any HTML in a scenario's text or a player's note is escaped in both.

Blocks this page does not show (code, figures) are refused rather than dropped.
"""

from __future__ import annotations

import html
import re

from sim.report.document import Bullets, Cell, Document, Paragraph, Section, Table

__all__ = ["after_action_html", "after_action_markdown"]

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 72rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
h1 { font-size: 1.6rem; } h2 { border-bottom: 2px solid #1f4e79; color: #1f4e79; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #eef3f8; }
"""


def _text(value: str | Cell) -> str:
    return value.text if isinstance(value, Cell) else str(value)


def _sections(document: Document) -> list[tuple[int, Section]]:
    """Every section with its heading level (2 for the document's sections, one more per subsection level)."""
    found: list[tuple[int, Section]] = []

    def walk(sections: tuple[Section, ...], level: int) -> None:
        for section in sections:
            found.append((level, section))
            walk(section.subsections, level + 1)

    walk(document.sections, 2)
    return found


def _unsupported(block: object) -> TypeError:
    return TypeError(f"an after-action report holds paragraphs, bullet lists and tables, not {type(block).__name__}")


# --- Markdown ---------------------------------------------------------------------------------------------------


def _no_html(text: str) -> str:
    """Text with ``&``, ``<`` and ``>`` as HTML entities: a Markdown viewer shows them as written and never reads
    a tag from a scenario's text or a player's note (the report's own emphasis, ``**`` and ``*``, still works)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _md_cell(value: str | Cell) -> str:
    return _no_html(_text(value)).replace("|", "\\|").replace("\n", " ")


def after_action_markdown(document: Document) -> str:
    """The report as Markdown (HTML in any text is escaped, see :func:`_no_html`).

    Args:
        document: The after-action report (paragraphs, bullet lists and tables only).

    Returns:
        The Markdown text.

    Raises:
        TypeError: For a block the page does not show (code, figures).
    """
    lines = [f"# {_no_html(document.title)}", ""]
    if document.subtitle:
        lines += [_no_html(document.subtitle), ""]
    for level, section in _sections(document):
        lines += ["#" * level + " " + _no_html(section.title), ""]
        for block in section.blocks:
            match block:
                case Paragraph():
                    lines += [_no_html(block.text), ""]
                case Bullets():
                    lines += [f"- {_no_html(item)}" for item in block.items] + [""]
                case Table():
                    lines.append("| " + " | ".join(_md_cell(c) for c in block.columns) + " |")
                    lines.append("|" + "|".join("---" for _ in block.columns) + "|")
                    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in block.rows]
                    lines.append("")
                case _:
                    raise _unsupported(block)
    return "\n".join(lines)


# --- HTML -------------------------------------------------------------------------------------------------------


def _inline_html(text: str) -> str:
    """Escape, then render the Markdown emphasis the report writes (**bold**, *italic*, `code`)."""
    escaped = html.escape(text)
    escaped = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", escaped)
    escaped = re.sub(r"\*(.+?)\*", r"<em>\1</em>", escaped)
    return re.sub(r"`(.+?)`", r"<code>\1</code>", escaped)


def after_action_html(document: Document) -> str:
    """The report as a self-contained HTML page.

    Args:
        document: The after-action report (paragraphs, bullet lists and tables only).

    Returns:
        The HTML text.

    Raises:
        TypeError: For a block the page does not show (code, figures).
    """
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(document.title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(document.title)}</h1>",
    ]
    if document.subtitle:
        parts.append(f"<p>{_inline_html(document.subtitle)}</p>")
    for level, section in _sections(document):
        parts.append(f"<h{level}>{html.escape(section.title)}</h{level}>")
        for block in section.blocks:
            match block:
                case Paragraph():
                    parts.append(f"<p>{_inline_html(block.text)}</p>")
                case Bullets():
                    parts.append("<ul>" + "".join(f"<li>{_inline_html(item)}</li>" for item in block.items) + "</ul>")
                case Table():
                    head = "".join(f"<th>{html.escape(_text(c))}</th>" for c in block.columns)
                    body = "".join(
                        "<tr>" + "".join(f"<td>{_inline_html(_text(c))}</td>" for c in row) + "</tr>"
                        for row in block.rows
                    )
                    parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
                case _:
                    raise _unsupported(block)
    parts.append("</body></html>")
    return "\n".join(parts)
