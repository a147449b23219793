"""CSV and Excel downloads of the dashboard and report tables, each one audited.

Exports hold references, titles, owners and counts: never a child's name (deadline titles
carry the incident reference only; report tables are counts).
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.http import HttpResponse

from .audit import Action, audit_record

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")

Table = tuple[str, list[str], list[list]]  # (sheet title, headers, rows)


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


def _xlsx_value(value):
    """A count kept as text (the regional figures mix "10" with "fewer than 5") goes in as
    a number, so that the spreadsheet can add it up; anything else as `_safe_text`."""
    if isinstance(value, str) and value.isdigit() and value.isascii():
        return int(value)
    return _safe_text(value)


def csv_bytes(tables: list[Table]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for index, (title, headers, rows) in enumerate(tables):
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
    used: set[str] = set()
    for title, headers, rows in tables:
        name = "".join(c for c in title if c not in "[]:*?/\\")[:31] or "Sheet"
        while name in used:
            name = name[:28] + f"{len(used):03d}"
        used.add(name)
        sheet = workbook.create_sheet(name)
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_xlsx_value(v) for v in row])
        for column, header in zip(sheet.columns, headers, strict=False):
            width = max([len(str(header))] + [len(str(c.value or "")) for c in column[:200]])
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
    rows = sum(len(rows) for _t, _h, rows in tables)
    for partnership in partnerships:
        audit_record(
            actor=request.user,
            action=Action.EXPORT,
            partnership=partnership,
            object_repr=f"{what} ({fmt.upper()})"[:200],
            changes={"format": fmt, "rows": rows, "filters": filters or {}},
            request=request,
        )
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response
