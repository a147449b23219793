"""CSV and Excel downloads of the dashboard and report tables, each one audited.

Exports hold references, titles, owners and counts: never a child's name (deadline titles
carry the incident reference only; report tables are counts).

A file of several tables heads each with its whole title: in the CSV a row before its
headers, in Excel the first row of its sheet, a blank row, then the table (so that
sorting the table leaves the title be). A sheet's name is the table's short name, where it
has one, else its title cut between words to Excel's 31 characters. In Excel, counts and
percentages are numbers (a percentage as a fraction shown as one, 0.75 as 75%); the CSV
keeps them as the page shows them ("75%").
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

from django.http import HttpResponse

from .audit import Action, audit_record
from .audit_display import BUTTON_NAMES

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")

#: (title, headers, rows), or (title, headers, rows, short name for its Excel sheet).
Table = tuple[str, list[str], list[list]] | tuple[str, list[str], list[list], str]

#: Excel's limit on a sheet's name, and the characters it refuses in one.
SHEET_NAME_MAX = 31
_NOT_IN_SHEET_NAMES = str.maketrans("", "", "[]:*?/\\")
_PERCENT = re.compile(r"[0-9]{1,3}%")


def _cell(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _safe_text(value):
    """Stop spreadsheet formula injection: text starting with = + - @ (or a tab or a
    carriage return, which a spreadsheet may skip before one) is quoted."""
    if (
        isinstance(value, str)
        and value[:1] in ("=", "+", "-", "@", "\t", "\r")
        and not _is_number(value)
    ):
        return "'" + value
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _xlsx_value(value) -> tuple[object, str | None]:
    """(value, number format) of a cell. A count kept as text (the regional figures mix
    "10" with "fewer than 5") goes in as a number, and a percentage ("75%") as the
    fraction it is, shown as a percentage, so that the spreadsheet can sort, add up and
    average them; anything else as `_safe_text`."""
    if isinstance(value, str) and value.isascii():
        if value.isdigit():
            return int(value), None
        if _PERCENT.fullmatch(value):
            return int(value[:-1]) / 100, "0%"
    return _safe_text(value), None


def _fit(name: str, most: int) -> str:
    """`name` in at most `most` characters, cut between words (mid-word only for a first
    word longer than that), with no punctuation left dangling at the end."""
    if len(name) <= most:
        return name
    cut = name[: most + 1].rsplit(" ", 1)[0] if " " in name[: most + 1] else name[:most]
    return cut[:most].rstrip(" ,;:–-") or name[:most]


def sheet_names(tables: list[Table]) -> list[str]:
    """Each table's sheet name: its short name, or else its title; without the characters
    Excel refuses, in at most 31 characters, and unique in the workbook (Excel tells
    names apart regardless of case): a repeat is numbered, "Name (2)"."""
    names: list[str] = []
    used: set[str] = set()
    for table in tables:
        wanted = str(table[3] if len(table) > 3 else table[0])
        wanted = " ".join(wanted.translate(_NOT_IN_SHEET_NAMES).split()).strip("'") or "Sheet"
        name, n = _fit(wanted, SHEET_NAME_MAX), 1
        while name.casefold() in used:
            n += 1
            suffix = f" ({n})"
            name = _fit(wanted, SHEET_NAME_MAX - len(suffix)) + suffix
        used.add(name.casefold())
        names.append(name)
    return names


def csv_bytes(tables: list[Table]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for index, (title, headers, rows, *_short) in enumerate(tables):
        if len(tables) > 1:
            if index:
                writer.writerow([])
            writer.writerow([title])
        writer.writerow(headers)
        for row in rows:
            writer.writerow([_safe_text(_cell(v)) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel reads UTF-8


def xlsx_bytes(tables: list[Table]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    titled = len(tables) > 1
    for name, (title, headers, rows, *_short) in zip(sheet_names(tables), tables, strict=True):
        sheet = workbook.create_sheet(name)
        if titled:
            sheet.append([_safe_text(str(title))])
            sheet["A1"].font = Font(bold=True, size=14)
            sheet.append([])
        first = 3 if titled else 1  # the headers' row
        sheet.append(headers)
        for cell in sheet[first]:
            cell.font = Font(bold=True)
        for row in rows:
            cells = [_xlsx_value(v) for v in row]
            sheet.append([value for value, _format in cells])
            for cell, (_value, number_format) in zip(sheet[sheet.max_row], cells, strict=False):
                if number_format:
                    cell.number_format = number_format
        if headers:
            last = sheet.cell(row=sheet.max_row, column=len(headers)).coordinate
            sheet.auto_filter.ref = f"A{first}:{last}"
            sheet.freeze_panes = f"A{first + 1}"
        for column, header in zip(sheet.columns, headers, strict=False):
            cells = column[first - 1 : first + 200]
            width = max([len(str(header))] + [len(str(c.value or "")) for c in cells])
            sheet.column_dimensions[column[0].column_letter].width = min(width + 2, 60)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def export_response(
    *,
    request,
    fmt: str,
    filename: str,
    tables: list[Table],
    what: str,
    partnerships,
    filters: dict | None = None,
) -> HttpResponse:
    """The file, with one audit event (Exported) per partnership whose data it holds."""
    if fmt == "xlsx":
        body, content_type = xlsx_bytes(tables), XLSX_TYPE
    else:
        fmt = "csv"
        body, content_type = csv_bytes(tables), "text/csv; charset=utf-8"
    rows = sum(len(table[2]) for table in tables)
    # What was asked for, not the button pressed to ask ("apply": "Apply filters").
    filters = {k: v for k, v in (filters or {}).items() if k not in BUTTON_NAMES}
    for partnership in partnerships:
        audit_record(
            actor=request.user,
            action=Action.EXPORT,
            partnership=partnership,
            object_repr=f"{what} ({fmt.upper()})"[:200],
            changes={"format": fmt, "rows": rows, "filters": filters},
            request=request,
        )
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response
