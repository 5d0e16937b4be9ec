"""CSV and XLSX downloads of every analytics table, with formula-like text cells escaped
(apps.core.csv_safe: a SKU or product name starting with `=` must not run in a spreadsheet)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from decimal import Decimal

from django.http import HttpResponse
from django.utils.translation import gettext as _

from apps.core.csv_safe import safe_cell, safe_writer

from .profit import NULLABLE, Slice, decomposition_get, profit_table

TABLES = ("sku", "store", "marketplace", "day", "decomposition", "candidates")
FORMATS = ("csv", "xlsx")


def _money(value) -> Decimal | str:
    return "" if value is None else Decimal(value).quantize(Decimal("0.01"))


def _profit_rows(org, s: Slice, group: str) -> tuple[list[str], Iterable[list]]:
    keys = {
        "sku": [_("SKU"), _("Product")],
        "store": [_("Store")],
        "marketplace": [_("Marketplace")],
        "day": [_("Day")],
    }[group]
    header = [
        *keys,
        _("Currency"),
        _("Sessions"),
        _("Orders"),
        _("Units"),
        _("Refunded units"),
        _("Revenue"),
        _("Refunds"),
        _("VAT"),
        _("Product cost"),
        _("First-leg freight"),
        _("Marketplace fees"),
        _("Fulfilment fees"),
        _("Ad spend"),
        _("Net profit"),
        _("Margin %"),
        _("Conversion %"),
        _("Order value"),
    ]
    rows = []
    for r in profit_table(org=org, s=s, group=group):
        key = {
            "sku": [r.get("product__sku") or "", r.get("product__name") or ""],
            "store": [r.get("store__name")],
            "marketplace": [r.get("marketplace__name")],
            "day": [r.get("day").isoformat() if r.get("day") else ""],
        }[group]
        costs = [
            _money(r.get(k)) if k not in NULLABLE or r.get(k) is not None else ""
            for k in ("revenue", "refunds", "vat", *NULLABLE, "net_profit")
        ]
        rows.append(
            [
                *key,
                org.default_currency,
                r.get("sessions") or "",
                r["orders"],
                r["units"],
                r["units_refunded"],
                *costs,
                "" if r["margin_pct"] is None else r["margin_pct"],
                "" if r["conversion_pct"] is None else r["conversion_pct"],
                "" if r["aov"] is None else r["aov"],
            ]
        )
    return header, rows


def table_rows(*, org, table: str, s: Slice, weights=None) -> tuple[list[str], Iterable[list]]:
    if table == "decomposition":
        data = decomposition_get(org=org, before=s.previous(), after=s)
        rows = [[_("Net profit, previous period"), _money(data["before"])]]
        rows += [[step["label"], _money(step["value"])] for step in data["steps"]]
        rows.append([_("Net profit, this period"), _money(data["after"])])
        return [_("Step"), _("Amount (%(currency)s)") % {"currency": data["currency"]}], rows
    if table == "candidates":
        from .selection import candidate_scores

        header = [
            _("Product"),
            _("Source"),
            _("Category"),
            _("Price"),
            _("Currency"),
            _("Monthly sales"),
            _("Reviews"),
            _("Rating"),
            _("Demand"),
            _("Competition"),
            _("Margin"),
            _("Trend"),
            _("Opportunity"),
            _("Data quality"),
        ]
        rows = [
            [
                c["name"],
                c["source"],
                c["category"],
                _money(c["price"]),
                c["currency"],
                c["monthly_sales"] or "",
                c["reviews"] or "",
                c["rating"] or "",
                *(c["scores"][k]["score"] for k in ("demand", "competition", "margin", "trend")),
                c["opportunity"],
                c["quality_label"],
            ]
            for c in candidate_scores(org=org, weights=weights)
        ]
        return header, rows
    return _profit_rows(org, s, table)


def download(*, header: list[str], rows: Iterable[list], name: str, fmt: str) -> HttpResponse:
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet(name[:31])
        sheet.append([safe_cell(h) for h in header])
        for row in rows:
            # openpyxl stores a text cell starting with "=" as a formula: escape like CSV
            sheet.append([safe_cell(v) for v in row])
        buf = io.BytesIO()
        book.save(buf)
        response = HttpResponse(
            buf.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        buf = io.StringIO()
        buf.write("\ufeff")  # Excel opens UTF-8 (Chinese names) only with a BOM
        writer = safe_writer(buf)
        writer.writerow(header)
        writer.writerows(rows)
        response = HttpResponse(buf.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
