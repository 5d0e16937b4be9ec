"""Parse competitor-offer files (CSV, TSV or XLSX) into rows and per-line errors.

What repricing tools and scrapers export, one observation of one competitor offer per line:

    listing_id,seller,price,currency,shipping,fulfilment,rating,buy_box,observed_at
    1042,Anker Official,"12,99",EUR,0,FBA,4.8,yes,2024-11-20 13:05

A listing is named by `listing_id`, or by `asin`/`external_id` (with `store` when the seller
has the same ASIN in several stores), or by `sku` + `store`. Headers are matched loosely
(case, spaces, `fulfillment`/`fulfilment`, common Chinese headers). Text may be UTF-8 (with or
without BOM), UTF-16 (Excel's "Unicode text") or GBK/GB18030 (Chinese Excel's CSV); decimals
may be written "12.99", "12,99", "1.234,56" or "1,234.56", with or without a currency symbol.

A malformed line is reported with its line number (the row number a spreadsheet shows) and
skipped; every good line is kept. Nothing here touches the database.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

MAX_ROWS = 200_000

FULFILMENT = {
    "fba": "fba",
    "afn": "fba",
    "amazon": "fba",
    "fbm": "fbm",
    "mfn": "fbm",
    "merchant": "fbm",
    "seller": "fbm",
    "prime": "other",
    "sfp": "other",
    "seller fulfilled prime": "other",
    "other": "other",
    "亚马逊配送": "fba",
    "卖家自配送": "fbm",
    "自发货": "fbm",
}
TRUE = {"1", "true", "yes", "y", "x", "t", "是", "ja", "oui", "sí", "si"}
FALSE = {"", "0", "false", "no", "n", "f", "否", "nein", "non"}

# Canonical column -> accepted headers (normalised: lower case, no spaces/underscores/dashes).
ALIASES: dict[str, tuple[str, ...]] = {
    "listing_id": ("listingid", "listing", "offerid"),
    "external_id": ("asin", "externalid", "itemid", "ebayitemid", "productid"),
    "sku": ("sku", "sellersku", "msku"),
    "store": ("store", "storename", "shop", "店铺", "店铺名称"),
    "seller": ("seller", "sellername", "competitor", "merchant", "卖家", "卖家名称", "竞争对手"),
    "seller_id": ("sellerid", "merchantid", "卖家id"),
    "price": ("price", "listingprice", "landedprice", "价格", "售价"),
    "currency": ("currency", "currencycode", "币种", "货币"),
    "shipping": ("shipping", "shippingprice", "shippingcost", "运费"),
    "fulfilment": (
        "fulfilment",
        "fulfillment",
        "fulfilmenttype",
        "fulfillmenttype",
        "fulfillmentchannel",
        "channel",
        "配送方式",
    ),
    "rating": ("rating", "sellerrating", "feedbackrating", "评分", "卖家评分"),
    "buy_box": (
        "buybox",
        "isbuyboxwinner",
        "buyboxwinner",
        "featuredoffer",
        "购物车",
        "黄金购物车",
    ),
    "observed_at": (
        "observedat",
        "observed",
        "timestamp",
        "date",
        "time",
        "scrapedat",
        "观察时间",
        "抓取时间",
        "时间",
    ),
}
_HEADER_INDEX = {alias: name for name, aliases in ALIASES.items() for alias in aliases}
_SYMBOLS = re.compile(r"[€$£¥₹₩￥\s\u00a0\u202f']|[A-Z]{3}|US|RMB|CN|JP", re.IGNORECASE)
_CURRENCY = re.compile(r"^[A-Z]{3}$")


class CompetitorFormatError(ValueError):
    """The file cannot be read as a competitor-offer table at all (not a line's fault)."""


@dataclass(frozen=True)
class LineError:
    line: int
    reason: str

    def __str__(self) -> str:
        return _("line %(line)d: %(reason)s") % {"line": self.line, "reason": self.reason}

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "reason": self.reason}


@dataclass
class OfferRow:
    """One observation, its listing still named as in the file (resolved by the importer)."""

    line: int
    seller: str
    price: Decimal
    listing_id: int | None = None
    external_id: str = ""
    sku: str = ""
    store: str = ""
    seller_id: str = ""
    currency: str = ""
    shipping: Decimal = Decimal(0)
    fulfilment: str = ""
    rating: Decimal | None = None  # percent 0–100
    buy_box: bool = False
    observed_at: datetime | None = None


@dataclass
class ParseResult:
    rows: list[OfferRow] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)


# --- reading -----------------------------------------------------------------------------------


def read_table(data: bytes, filename: str = "") -> list[tuple[int, list[Any]]]:
    """(line number, cells) of every line: XLSX by its zip signature, else delimited text."""
    if not data or not data.strip():
        raise CompetitorFormatError(_("The file is empty."))
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(data)
    text = decode(data)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(("\t", ";", ","), key=first.count) if first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    lines: list[tuple[int, list[Any]]] = []
    start = 1
    try:
        for cells in reader:
            lines.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise CompetitorFormatError(
            _("Line %(line)d cannot be read as CSV: %(error)s")
            % {"line": reader.line_num, "error": exc}
        ) from exc
    return lines


def decode(data: bytes) -> str:
    """UTF-8 (BOM or not), UTF-16 with BOM, else GB18030 (a superset of GBK and GB2312)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise CompetitorFormatError(
            _("The file is neither UTF-8 nor GBK text; save it as CSV UTF-8 and try again.")
        ) from exc


def _read_xlsx(data: bytes) -> list[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or non-Excel zip
        raise CompetitorFormatError(_("The file is not a readable Excel workbook.")) from exc
    try:
        sheet = book.worksheets[0]
        return [(n, list(cells)) for n, cells in enumerate(sheet.iter_rows(values_only=True), 1)]
    finally:
        book.close()


# --- parsing -----------------------------------------------------------------------------------


def parse(data: bytes, filename: str = "", *, now: datetime | None = None) -> ParseResult:
    """Rows and line errors of a competitor-offer file; `now` stands in for a missing time."""
    lines = [(n, cells) for n, cells in read_table(data, filename) if _has_content(cells)]
    if not lines:
        raise CompetitorFormatError(_("The file is empty."))
    header = lines[0][1]
    columns = _columns(header)
    result = ParseResult(columns=[name for name in columns if name])
    if len(lines) - 1 > MAX_ROWS:
        raise CompetitorFormatError(
            _("The file has %(n)d lines; import at most %(max)d per file.")
            % {"n": len(lines) - 1, "max": MAX_ROWS}
        )
    now = now or timezone.now()
    for number, cells in lines[1:]:
        values = {name: cells[i] for i, name in enumerate(columns) if name and i < len(cells)}
        row = parse_values(values, line=number, now=now, errors=result.errors)
        if row is not None:
            result.rows.append(row)
    return result


def _has_content(cells: list[Any]) -> bool:
    return any(cell is not None and str(cell).strip() for cell in cells)


def _normalise_header(cell: Any) -> str:
    return re.sub(r"[\s_\-./()]+", "", str(cell or "")).lower()


def _columns(header: list[Any]) -> list[str]:
    names = [_HEADER_INDEX.get(_normalise_header(cell), "") for cell in header]
    found = set(names) - {""}
    missing = [] if found & {"seller", "seller_id"} else ["seller"]
    missing += [] if "price" in found else ["price"]
    if not found & {"listing_id", "external_id", "sku"}:
        missing.append("listing_id | asin | sku")
    if missing:
        raise CompetitorFormatError(
            _("Missing columns: %(missing)s. Found: %(found)s.")
            % {
                "missing": ", ".join(missing),
                "found": ", ".join(str(c) for c in header if c not in (None, "")) or "—",
            }
        )
    if "sku" in found and not found & {"listing_id", "external_id"} and "store" not in found:
        raise CompetitorFormatError(_("A file naming listings by SKU needs a store column."))
    return names


def parse_values(
    values: dict[str, Any], *, line: int, now: datetime, errors: list[LineError]
) -> OfferRow | None:
    """One offer from named cell values, or None with the reasons appended to `errors`.

    Shared by the file parser and the bulk API, so both accept exactly the same values."""
    reasons: list[str] = []

    def text(name: str, limit: int = 200) -> str:
        value = values.get(name)
        return "" if value is None else str(value).strip()[:limit]

    listing_id = None
    if text("listing_id"):
        listing_id = _integer(values["listing_id"])
        if listing_id is None or listing_id <= 0:
            reasons.append(_("listing_id is not a positive whole number: %r") % text("listing_id"))
    external_id, sku = text("external_id", 64), text("sku", 100)
    if listing_id is None and not external_id and not sku:
        reasons.append(_("no listing_id, ASIN or SKU"))
    seller, seller_id = text("seller"), text("seller_id", 100)
    if not seller and not seller_id:
        reasons.append(_("the seller is empty"))
    price = parse_decimal(values.get("price"))
    if price is None:
        reasons.append(_("price is not a number: %r") % text("price"))
    elif price <= 0:
        reasons.append(_("price must be above zero: %s") % text("price"))
    shipping = Decimal(0)
    if text("shipping"):
        shipping = parse_decimal(values["shipping"])
        if shipping is None or shipping < 0:
            reasons.append(_("shipping is not an amount of zero or more: %r") % text("shipping"))
    currency = text("currency").upper()
    if currency and not _CURRENCY.match(currency):
        reasons.append(_("currency is not an ISO 4217 code: %r") % text("currency"))
    fulfilment = ""
    if text("fulfilment"):
        fulfilment = FULFILMENT.get(text("fulfilment").lower(), "")
        if not fulfilment:
            reasons.append(_("unknown fulfilment %r (use FBA or FBM)") % text("fulfilment"))
    rating = None
    if text("rating"):
        rating = parse_rating(values["rating"])
        if rating is None:
            reasons.append(_("rating is not 0–5 stars or 0–100%%: %r") % text("rating"))
    buy_box = parse_bool(values.get("buy_box"))
    if buy_box is None:
        reasons.append(_("buy_box is not yes/no: %r") % text("buy_box"))
    observed_at = now
    if text("observed_at"):
        observed_at = parse_datetime(values["observed_at"])
        if observed_at is None:
            reasons.append(_("observed_at is not a date and time: %r") % text("observed_at"))
        elif observed_at > now + timedelta(minutes=5):
            reasons.append(_("observed_at is in the future: %s") % text("observed_at"))
    if reasons:
        errors.append(LineError(line, "; ".join(reasons)))
        return None
    return OfferRow(
        line=line,
        seller=seller,
        price=price,
        listing_id=listing_id,
        external_id=external_id,
        sku=sku,
        store=text("store"),
        seller_id=seller_id or seller[:100],
        currency=currency,
        shipping=shipping,
        fulfilment=fulfilment,
        rating=rating,
        buy_box=bool(buy_box),
        observed_at=observed_at,
    )


# --- values ------------------------------------------------------------------------------------


def parse_decimal(value: Any) -> Decimal | None:
    """A Decimal from a cell: numbers as they are, text in either decimal convention.

    "12,99" and "12.99" are 12.99; "1.234,56" and "1,234.56" are 1234.56; a lone comma or dot
    followed by exactly three digits ("1,980", "1.980") groups thousands, as yen prices do.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    text = _SYMBOLS.sub("", str(value))
    if not text:
        return None
    negative = text.startswith("-")
    text = text.lstrip("+-")
    if "," in text and "." in text:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        group_mark = "." if decimal_mark == "," else ","
        text = text.replace(group_mark, "").replace(decimal_mark, ".")
    elif "," in text or "." in text:
        mark = "," if "," in text else "."
        head, *groups = text.split(mark)
        if len(groups) > 1 or (len(groups[0]) == 3 and head and head != "0"):
            if not all(len(g) == 3 for g in groups):
                return None
            text = head + "".join(groups)
        else:
            text = f"{head or '0'}.{groups[0]}"
    if not re.fullmatch(r"\d+(\.\d+)?", text):
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return -number if negative else number


def parse_rating(value: Any) -> Decimal | None:
    """A seller rating as a percentage 0–100, as the model stores it: "98%" and 98 are 98;
    stars (a number up to 5, "4.8") become a percentage (4.8 stars → 96)."""
    raw = str(value).strip()
    percent = raw.endswith("%")
    number = parse_decimal(raw.rstrip("%").strip() if percent else value)
    if number is None or number < 0 or number > 100:
        return None
    if not percent and number <= 5:
        number = number * 20
    return number.quantize(Decimal("0.01"))


def parse_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = "" if value is None else str(value).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    return None


_DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S",
                     "%Y/%m/%d %H:%M", "%Y/%m/%d", "%d.%m.%Y %H:%M", "%d.%m.%Y",
                     "%Y年%m月%d日 %H:%M", "%Y年%m月%d日")  # fmt: skip


def parse_datetime(value: Any) -> datetime | None:
    """An aware datetime from a cell: ISO 8601 (with or without zone), common spreadsheet
    and Chinese formats; times without a zone are UTC."""
    parsed: datetime | None = None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime.combine(value, time())
    else:
        text = str(value).strip()
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            for fmt in _DATETIME_FORMATS:
                try:
                    parsed = datetime.strptime(text, fmt)
                    break
                except ValueError:
                    continue
    if parsed is None:
        return None
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _integer(value: Any) -> int | None:
    number = parse_decimal(value)
    if number is None or number != number.to_integral_value():
        return None
    return int(number)
