"""An official letter as PDF (fpdf2, DejaVu Sans embedded): A4, 25/20 mm margins.

The layout, top to bottom: the letterhead (the unit's name in bold, its address and
contact lines, a rule under them); the place and date line on the right; "Znak sprawy:";
the addressee block on the right half; "Dotyczy:" in bold; the body — paragraphs,
justified, and lists; the signature block on the right. A letter of more than one page
carries "Strona N z M" at the foot of every page (rendered twice: the first pass only
counts the pages).

Whatever the text, the PDF is sound: characters the font cannot print and controls are
dropped, a word longer than the line is broken, a long body goes on to the next pages.
Rendering is deterministic: the same letter on the same day gives the same bytes.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from importlib import resources
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos

FONT = "DejaVu"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 25.0, 20.0, 20.0, 22.0
SIZE, LINE = 11.0, 5.4  # points, millimetres
HALF = 85.0  # where the right-hand blocks (date, addressee, signature) start, from the left margin


@dataclass
class Block:
    """A paragraph (its lines kept as line breaks) or a list (one item a line)."""

    lines: list[str]
    bullets: bool = False


@dataclass
class LetterLayout:
    unit_name: str
    letterhead_lines: list[str] = field(default_factory=list)
    contact_lines: list[str] = field(default_factory=list)
    date_line: str = ""
    case_ref: str | None = None
    addressee_lines: list[str] = field(default_factory=list)
    subject: str = ""
    blocks: list[Block] = field(default_factory=list)
    signer_lines: list[str] = field(default_factory=list)
    title: str = "Pismo"
    day: date | None = None  # the PDF's creation date (the letter's date)


@dataclass
class RenderedPdf:
    pdf: bytes
    pages: int


def _font_dir() -> Path:
    return Path(str(resources.files("ezd.resources.fonts")))


def printable(text: str) -> str:
    """The text without what cannot be printed: controls become spaces, unassigned and
    private-use code points and lone surrogates go."""
    out = []
    for char in text:
        category = unicodedata.category(char)
        if category == "Cc":
            out.append(" " if char != "\n" else char)
        elif category in ("Cs", "Co", "Cn"):
            continue
        else:
            out.append(char)
    return "".join(out)


def blocks_of(body: str) -> list[Block]:
    """Paragraphs split on blank lines; a paragraph of "- " lines is a list."""
    blocks = []
    for chunk in body.replace("\r\n", "\n").split("\n\n"):
        lines = [line.rstrip() for line in chunk.split("\n")]
        while lines and not lines[0].strip():
            lines.pop(0)
        while lines and not lines[-1].strip():
            lines.pop()
        if not lines:
            continue
        if all(line.lstrip().startswith("- ") for line in lines):
            blocks.append(Block([line.lstrip()[2:].strip() for line in lines], bullets=True))
        else:
            blocks.append(Block(lines))
    return blocks


class _Letter(FPDF):
    def __init__(self, numbered: bool) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.numbered = numbered
        fonts = _font_dir()
        for style, name in FONT_FILES.items():
            self.add_font(FONT, style, str(fonts / name))
        self.set_margins(MARGIN_LEFT, MARGIN_TOP, MARGIN_RIGHT)
        self.set_auto_page_break(auto=True, margin=MARGIN_BOTTOM)
        self.set_font(FONT, size=SIZE)

    def footer(self) -> None:
        if not self.numbered:
            return
        self.set_y(-15)
        self.set_font(FONT, size=8.5)
        self.cell(0, 5, f"Strona {self.page_no()} z {{nb}}", align="C")
        self.set_font(FONT, size=SIZE)

    def text_block(self, text: str, *, bold: bool = False, size: float = SIZE, indent: float = 0.0,
                   align: str = "L", line: float = LINE) -> None:
        self.set_font(FONT, "B" if bold else "", size)
        self.set_x(self.l_margin + indent)
        width = self.w - self.r_margin - self.l_margin - indent
        self.multi_cell(width, line, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT,
                        wrapmode=WrapMode.WORD)
        self.set_font(FONT, "", SIZE)


def _draw(layout: LetterLayout, numbered: bool) -> _Letter:
    pdf = _Letter(numbered)
    pdf.set_title(printable(layout.title)[:200])
    pdf.set_author(printable(layout.unit_name)[:200])
    pdf.set_creator("EZD dla oświaty")
    pdf.set_lang("pl")
    day = layout.day or date(2000, 1, 1)
    pdf.set_creation_date(datetime.combine(day, time(12, 0), tzinfo=timezone.utc))
    pdf.add_page()
    # Letterhead
    pdf.text_block(printable(layout.unit_name), bold=True, size=12.5, line=6.0)
    for line in layout.letterhead_lines + layout.contact_lines:
        pdf.text_block(printable(line), size=9.5, line=4.6)
    pdf.ln(1.5)
    pdf.set_draw_color(90, 90, 90)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(5)
    if layout.date_line:
        pdf.text_block(printable(layout.date_line), align="R")
    if layout.case_ref:
        pdf.text_block(f"Znak sprawy: {printable(layout.case_ref)}")
    pdf.ln(7)
    for line in layout.addressee_lines:
        pdf.text_block(printable(line), bold=line is layout.addressee_lines[0], indent=HALF)
    pdf.ln(9)
    if layout.subject.strip():
        pdf.text_block(f"Dotyczy: {printable(layout.subject.strip())}", bold=True)
        pdf.ln(4)
    for block in layout.blocks:
        if block.bullets:
            for item in block.lines:
                y = pdf.get_y()
                pdf.set_xy(pdf.l_margin + 2, y)
                pdf.cell(4, LINE, "–")
                pdf.set_y(y)
                pdf.text_block(printable(item), indent=7)
        else:
            pdf.text_block("\n".join(printable(line) for line in block.lines), align="J")
        pdf.ln(2.6)
    if layout.signer_lines:
        pdf.ln(10)
        if pdf.will_page_break(LINE * (len(layout.signer_lines) + 1)):
            pdf.add_page()
        for line in layout.signer_lines:
            pdf.text_block(printable(line), indent=HALF, align="C")
    return pdf


def render_pdf(layout: LetterLayout) -> RenderedPdf:
    first = _draw(layout, numbered=False)
    if first.pages_count > 1:
        first = _draw(layout, numbered=True)
    return RenderedPdf(pdf=bytes(first.output()), pages=first.pages_count)
