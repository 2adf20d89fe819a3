"""Drawing huddle records as a PDF sign-in sheet with fpdf2 (HarfBuzz shaping, right to left)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace

from huddles.i18n import pgettext

if TYPE_CHECKING:
    from huddles.huddle.record import HuddleRecord

FONT = "DejaVu"
GREY = (90, 90, 90)
RULE = (200, 200, 200)
HEAD_FILL = (235, 238, 242)


class _Document(FPDF):
    """A4 pages with a footer naming the record and the page."""

    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        self.set_text_color(*GREY)
        self.cell(0, 5, f"{self.footer_text}   {self.page_no()}", align="C")


class RecordSheet:
    """Adds records to one PDF, each starting on a new page."""

    def __init__(self, *, rtl: bool, fonts: Path) -> None:
        self.rtl = rtl
        self.pdf = _Document(format="A4")
        self.pdf.set_auto_page_break(auto=True, margin=16)
        self.pdf.set_margins(15, 15, 15)
        self.pdf.add_font(FONT, "", str(fonts / "DejaVuSans.ttf"))
        self.pdf.add_font(FONT, "B", str(fonts / "DejaVuSans-Bold.ttf"))
        self.pdf.set_text_shaping(use_shaping_engine=True)
        self.pdf.set_title(_("Huddle records"))
        self.pdf.set_creator("Huddles")
        self.align = "R" if rtl else "L"

    # --- pieces ---

    def _text(self, text: str, *, size: float = 10, bold: bool = False, height: float = 6) -> None:
        self.pdf.set_font(FONT, "B" if bold else "", size)
        self.pdf.multi_cell(0, height, text, align=self.align, new_x="LMARGIN", new_y="NEXT")

    def _heading(self, text: str) -> None:
        self.pdf.ln(3)
        self.pdf.set_text_color(0, 0, 0)
        self._text(text, size=12, bold=True, height=7)

    def _pairs(self, pairs: list[tuple[str, str]]) -> None:
        self._table([(label, value) for label, value in pairs], widths=(45, 135), header=False)

    def _table(
        self,
        rows: list[tuple[str, ...]],
        *,
        widths: tuple[float, ...],
        header: bool = True,
    ) -> None:
        if not rows:
            return
        order = list(reversed(range(len(widths)))) if self.rtl else list(range(len(widths)))
        self.pdf.set_font(FONT, "", 9)
        heading = FontFace(emphasis="BOLD", fill_color=HEAD_FILL) if header else None
        with self.pdf.table(
            col_widths=tuple(widths[i] for i in order),
            text_align="RIGHT" if self.rtl else "LEFT",
            first_row_as_headings=header,
            headings_style=heading or FontFace(),
            borders_layout="HORIZONTAL_LINES",
            line_height=5.5,
            padding=1.2,
        ) as table:
            for values in rows:
                row = table.row()
                for i in order:
                    row.cell(values[i])

    # --- a record ---

    def add_record(self, record: HuddleRecord) -> None:
        from huddles.huddle.record import (
            FEEDBACK_WORDS,
            MARK_LABELS,
            REASON_LABELS,
            STATUS_LABELS,
            how_recorded,
            mmss,
        )

        pdf = self.pdf
        pdf.footer_text = _(
            "Huddle record %(id)s · fingerprint %(fp)s",
            id=record.record_id,
            fp=record.fingerprint,
        )
        pdf.add_page()
        pdf.set_text_color(0, 0, 0)
        self._text(_("Huddle record"), size=16, bold=True, height=9)
        self._text(f"{record.location} · {record.shift} · {record.day.isoformat()}", size=11)
        pdf.ln(2)
        status = str(STATUS_LABELS.get(record.status, record.status))
        if record.closed_reason:
            status += " — " + str(REASON_LABELS.get(record.closed_reason, record.closed_reason))
        count = record.headcount
        feedback = str(FEEDBACK_WORDS.get(record.feedback, record.feedback or ""))
        self._pairs(
            [
                (_("Record"), record.record_id),
                (_("Location"), record.location),
                (_("Shift"), record.shift),
                (_("Date"), record.day.isoformat()),
                (_("Status"), status),
                (
                    _("Planned"),
                    _(
                        "%(start)s–%(end)s (%(minutes)s min)",
                        start=record.local(record.planned_start),
                        end=record.local(record.planned_end),
                        minutes=f"{record.planned_minutes:g}",
                    ),
                ),
                (
                    _("Actual"),
                    f"{record.local(record.started_at)}–{record.local(record.finished_at)}",
                ),
                (_("Duration"), mmss(record.duration_s)),
                (_("Led by"), record.led_by.name if record.led_by else "—"),
                (_("Here"), _("%(here)s of %(all)s", here=count.here, all=count.expected)),
                (_("Room's feedback"), feedback),
                (_("Time zone"), record.timezone),
            ]
        )

        self._heading(_("What was covered"))
        self._table(
            [(_("#"), _("Slot"), _("Topic"), _("Revision"))]
            + [
                (
                    str(item.position),
                    item.slot_title,
                    item.title if item.topic_slug else "—",
                    str(item.revision) if item.revision is not None else "",
                )
                for item in record.items
            ],
            widths=(10, 45, 105, 20),
        )

        self._heading(_("Who was there"))
        rows = [
            (
                pgettext("the name of a person", "Name"),
                _("Status"),
                _("How it was recorded"),
                _("Marked by"),
                _("At"),
            )
        ]
        for mark in record.attendance:
            name = mark.name + (" (" + _("visitor") + ")" if mark.visitor else "")
            rows.append(
                (
                    name,
                    str(MARK_LABELS.get(mark.status, mark.status or "")),
                    how_recorded(mark),
                    mark.marked_by.name if mark.marked_by else "",
                    record.mark_time(mark),
                )
            )
        self._table(rows, widths=(44, 30, 50, 34, 22))

        self._heading(_("The lead's notes"))
        self._text(record.notes or _("No notes."), size=10)

    def add_nothing(self, message: str) -> None:
        self.pdf.add_page()
        self._text(message, size=12)

    def output_bytes(self) -> bytes:
        return bytes(self.pdf.output())
