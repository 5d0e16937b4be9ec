"""Tracking checkpoints (AfterShip-style CSV: tracking_number, slug, checkpoint_time, tag,
location, message) → events normalised to one status vocabulary, with line-numbered errors.

Times are local with an offset (`2025-09-06T14:55:00-07:00`): each is kept as its instant (UTC)
plus the offset in minutes, so a parcel's events sort by instant and still show local time. A
`Pending` parcel has no checkpoint time: it becomes a parcel without events. Carriers' own
words (`delivered`, `签收`, `zugestellt`, …) map onto the vocabulary in `STATUS_WORDS`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from django.utils.translation import gettext as _

from apps.integrations.tabular.errors import LineError
from apps.integrations.tabular.pipeline import TabularReader, TypedChunk, read
from apps.integrations.tabular.readers import CHUNK_ROWS, Source
from apps.integrations.tabular.records import typed_records
from apps.integrations.tabular.schema import load_schema, normalise_header

SCHEMA_FILE = Path(__file__).with_name("columns.yaml")
KIND = "tracking_events"
TAGS = (
    "Pending",
    "InfoReceived",
    "InTransit",
    "OutForDelivery",
    "AttemptFail",
    "Delivered",
    "AvailableForPickup",
    "Exception",
    "Expired",
)
_FOLD = {re.sub(r"[\s_\-]", "", t).casefold(): t for t in TAGS}
STATUS_WORDS = {
    "pending": "Pending",
    "notfound": "Pending",
    "inforeceived": "InfoReceived",
    "labelcreated": "InfoReceived",
    "accepted": "InTransit",
    "transit": "InTransit",
    "intransit": "InTransit",
    "pickedup": "InTransit",
    "outfordelivery": "OutForDelivery",
    "failedattempt": "AttemptFail",
    "attemptfail": "AttemptFail",
    "undelivered": "AttemptFail",
    "delivered": "Delivered",
    "pickup": "AvailableForPickup",
    "readyforpickup": "AvailableForPickup",
    "exception": "Exception",
    "alert": "Exception",
    "returned": "Exception",
    "returntosender": "Exception",
    "customshold": "Exception",
    "expired": "Expired",
    "待处理": "Pending",
    "已揽收": "InTransit",
    "运输中": "InTransit",
    "派送中": "OutForDelivery",
    "投递失败": "AttemptFail",
    "已签收": "Delivered",
    "签收": "Delivered",
    "待取件": "AvailableForPickup",
    "异常": "Exception",
    "退回": "Exception",
    "过期": "Expired",
    "zugestellt": "Delivered",
    "inzustellung": "OutForDelivery",
    "unterwegs": "InTransit",
}
_TIME = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?)\s*(Z|[+-]\d{2}:?\d{2})?$"
)


def schema():
    return load_schema(SCHEMA_FILE)


@dataclass
class EventRow:
    line: int
    tracking_number: str
    carrier: str
    status: str
    at: datetime | None
    utc_offset_min: int = 0
    location: str = ""
    description: str = ""


@dataclass
class ParseResult:
    rows: list[EventRow] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)


def normalise_status(value: str) -> str:
    """A tag or carrier word in the one vocabulary; "" when unknown."""
    key = re.sub(r"[\s_\-]", "", value or "").casefold()
    return _FOLD.get(key) or STATUS_WORDS.get(key, "")


def _offset_minutes(offset: str | None) -> int | None:
    if not offset:
        return None
    if offset == "Z":
        return 0
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 15:
        return None
    return sign * (hours * 60 + minutes)


def open_events(
    source: Source, filename: str = "", *, chunk_rows: int = CHUNK_ROWS
) -> TabularReader:
    return read(source, schema(), filename=filename or "tracking.csv", chunk_rows=chunk_rows)


def check_events(chunk: TypedChunk) -> None:
    """Status normalised, time parsed to instant + offset; bad lines get reasons."""
    rows, text = chunk.rows, chunk.text
    order = {name: i for i, name in enumerate(schema().columns)}
    chunk.fail(
        text["tracking_number"] == "",
        _("the tracking number is empty"),
        order=order["tracking_number"],
    )
    raw_status = text["tag"].where(text["tag"] != "", text["status"])
    status = raw_status.map(normalise_status).astype(object)
    chunk.fail(status == "", _("unknown tracking status %(tag)r"), order=order["tag"])
    rows["norm_status"] = status
    parts = text["checkpoint_time"].str.extract(_TIME, expand=True)
    has_time = text["checkpoint_time"] != ""
    chunk.fail(
        has_time & parts[0].isna(),
        _("checkpoint_time is not a date and time with offset: %(checkpoint_time)r"),
        order=order["checkpoint_time"],
    )
    offsets = parts[2].map(lambda v: _offset_minutes(v) if isinstance(v, str) else None)
    chunk.fail(
        has_time & parts[2].notna() & offsets.isna(),
        _("checkpoint_time has a UTC offset beyond ±15:59: %(checkpoint_time)s"),
        order=order["checkpoint_time"],
    )
    local = pd.to_datetime(parts[0] + " " + parts[1], errors="coerce", format="mixed")
    minutes = offsets.fillna(0).astype("int64")
    instant = (local - pd.to_timedelta(minutes, unit="m")).dt.tz_localize("UTC")
    rows["at"] = instant
    rows["utc_offset_min"] = minutes
    chunk.fail(
        ~has_time & (status != "Pending") & (status != ""),
        _("checkpoint_time is empty (only a Pending parcel has no time)"),
        order=order["checkpoint_time"],
    )
    rows["slug"] = text["slug"].str.lower().astype(object)


def event_chunks(reader: TabularReader) -> Iterator[TypedChunk]:
    for chunk in reader:
        check_events(chunk)
        yield chunk


def event_rows(frame: pd.DataFrame) -> list[EventRow]:
    return [
        EventRow(
            line=int(r.line),
            tracking_number=r.tracking_number,
            carrier=r.slug or "",
            status=r.norm_status,
            at=None if pd.isna(r.at) else r.at.to_pydatetime(),
            utc_offset_min=int(r.utc_offset_min),
            location=r.location or "",
            description=r.message or "",
        )
        for r in frame.itertuples(index=False)
    ]


def parse(data: bytes, filename: str = "tracking.csv") -> ParseResult:
    reader = open_events(data, filename)
    result = ParseResult()
    for chunk in event_chunks(reader):
        result.rows.extend(event_rows(chunk.good()))
        result.errors.extend(chunk.errors())
    return result


def parse_records(records: list[dict[str, Any]]) -> tuple[list[EventRow], list[LineError]]:
    chunk = typed_records(_by_column(records), schema())
    if chunk is None:
        return [], []
    check_events(chunk)
    return event_rows(chunk.good()), chunk.errors()


def _by_column(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """API rows may use the file's headers (`afn-fulfillable-quantity`) or our column names:
    both map to the column, as a file's header would."""
    index = schema().index
    return [
        {index.get(normalise_header(k), k): v for k, v in r.items()} if isinstance(r, dict) else {}
        for r in records
    ]
