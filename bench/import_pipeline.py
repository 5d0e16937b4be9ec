"""Benchmark: the tabular import pipeline on a 1,000,000-row, 20-column CSV.

    .venv/bin/python bench/import_pipeline.py [--rows 1000000] [--cols 20] [--naive-sample 20000]

Generates (into a temporary directory, in blocks, so generation does not inflate the figures)
a CSV of realistic mixed columns — ids, SKUs and free text, money in US and European notation
with currency symbols (`$1,234.56`, `1.234,56 €`), percents (`12,5 %`, `0.971%`), dates
(`2026/11/30`, `30.11.2026`, ISO datetimes), quantities, yes/no flags, currency codes — then
measures the parse/validate stage: bytes → decoded stream → typed chunks (Decimal money, UTC
datetimes, integers, booleans) and line errors, through `apps.integrations.tabular`. Writing
rows to the database is the domain's set-based upsert and is not measured here.

The naive way is what the three importers did before: `csv.reader` over the decoded text and
one Python parse per cell (regex-cleaned Decimal, strptime per format), on the first
`--naive-sample` rows, extrapolated. Peak memory is the process's peak resident set during the
pipeline stage (sampled every 50 ms, and `ru_maxrss` for the whole run). Last line: one JSON.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import resource
import sys
import tempfile
import threading
import time
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import django_setup

KINDS = ["id", "sku", "title", "usd", "eur", "pct_eu", "pct_us", "date_slash", "date_dot",
         "iso", "qty", "flag", "currency", "text", "usd", "eur", "id", "date_slash", "pct_us",
         "title"]  # fmt: skip
TYPES = {"id": "integer", "qty": "integer", "usd": "money", "eur": "money", "pct_eu": "percent",
         "pct_us": "percent", "date_slash": "date", "date_dot": "date", "iso": "datetime",
         "flag": "bool"}  # fmt: skip
WORDS = np.array(
    [
        "fast",
        "charger",
        "cable",
        "usb",
        "compact",
        "travel",
        "adapter",
        "wireless",
        "magnetic",
        "braided",
        "durable",
        "black",
        "white",
        "grey",
        "nylon",
        "premium",
    ]
)


def column(kind: str, n: int, rng: np.random.Generator) -> np.ndarray:
    if kind == "id":
        return rng.integers(1, 10**9, n).astype(str)
    if kind == "qty":
        return rng.integers(0, 500, n).astype(str)
    if kind == "sku":
        return np.char.add("VT-", rng.integers(10000, 99999, n).astype(str))
    if kind in ("title", "text"):
        words = WORDS[rng.integers(0, len(WORDS), (n, 4 if kind == "title" else 8))]
        return np.array([" ".join(w) for w in words])
    cents = rng.integers(1, 500_000, n)
    units, rest = cents // 100, (cents % 100).astype(str)
    rest = np.char.zfill(rest, 2)
    if kind == "usd":
        return np.char.add(
            np.char.add("$", np.array([f"{u:,}" for u in units])), np.char.add(".", rest)
        )
    if kind == "eur":
        grouped = np.array([f"{u:,}".replace(",", ".") for u in units])
        return np.char.add(np.char.add(grouped, ","), np.char.add(rest, " €"))
    if kind == "pct_eu":
        return np.char.add(np.char.add((cents % 100).astype(str), ","), np.char.add(rest, " %"))
    if kind == "pct_us":
        return np.char.add(np.char.add((cents % 10).astype(str), "."), np.char.add(rest, "1%"))
    days = np.datetime64("2024-01-01") + rng.integers(0, 1000, n).astype("timedelta64[D]")
    iso = days.astype(str)
    if kind == "date_slash":
        return np.char.replace(iso, "-", "/")
    if kind == "date_dot":
        return np.array([f"{d[8:10]}.{d[5:7]}.{d[0:4]}" for d in iso])
    if kind == "iso":
        return np.char.add(iso, "T13:05:00+02:00")
    if kind == "flag":
        return np.where(rng.random(n) < 0.5, "yes", "no")
    if kind == "currency":
        return np.where(rng.random(n) < 0.5, "USD", "EUR")
    raise ValueError(kind)


def generate(path: Path, rows: int, cols: int, seed: int = 7) -> list[str]:
    kinds = [KINDS[i % len(KINDS)] for i in range(cols)]
    names = [f"{k}_{i}" for i, k in enumerate(kinds)]
    rng = np.random.default_rng(seed)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(names)
        for start in range(0, rows, 100_000):
            n = min(100_000, rows - start)
            data = [column(k, n, rng) for k in kinds]
            writer.writerows(zip(*data, strict=True))
    return kinds


class PeakRss:
    def __init__(self) -> None:
        import psutil

        self.process = psutil.Process()
        self.peak = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def run_pipeline(path: Path, kinds: list[str], chunk_rows: int) -> dict:
    from apps.integrations.tabular.pipeline import read
    from apps.integrations.tabular.schema import Schema

    schema = Schema.from_dict({
        "kind": "bench",
        "columns": {f"{k}_{i}": {"type": TYPES.get(k, "text")} for i, k in enumerate(kinds)},
    })  # fmt: skip
    ok = failed = 0
    money_total = Decimal(0)
    first_money = next(f"{k}_{i}" for i, k in enumerate(kinds) if TYPES.get(k) == "money")
    reader = read(path, schema, filename=path.name, chunk_rows=chunk_rows)
    for chunk in reader:
        good = chunk.good()
        ok += len(good)
        failed += len(chunk.errors())
        money_total += sum(good[first_money])  # typed rows really are Decimals
    return {"ok": ok, "failed": failed, "encoding": reader.encoding, "check": str(money_total)}


_SYMBOLS = re.compile(r"[€$£¥\s\u00a0%']")


def naive_number(text: str) -> Decimal | None:
    text = _SYMBOLS.sub("", text)
    if "," in text and "." in text:
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif "," in text:
        text = text.replace(",", ".")
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def naive_date(text: str) -> datetime | None:
    for fmt in ("%Y-%m-%dT%H:%M:%S%z", "%Y/%m/%d", "%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def run_naive(path: Path, kinds: list[str], sample: int) -> tuple[float, int]:
    parsers = {"integer": int, "money": naive_number, "percent": naive_number,
               "date": naive_date, "datetime": naive_date,
               "bool": lambda t: t.lower() in ("yes", "true", "1")}  # fmt: skip
    funcs = [parsers.get(TYPES.get(k, "text"), str.strip) for k in kinds]
    started = time.perf_counter()
    done = 0
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        rows = []
        for cells in reader:
            rows.append(
                {i: f(c.strip()) for i, (f, c) in enumerate(zip(funcs, cells, strict=True))}
            )
            done += 1
            if done >= sample:
                break
    return time.perf_counter() - started, done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--cols", type=int, default=20)
    parser.add_argument("--naive-sample", type=int, default=20_000)
    parser.add_argument("--chunk-rows", type=int, default=50_000)
    args = parser.parse_args()
    django_setup()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.csv"
        started = time.perf_counter()
        kinds = generate(path, args.rows, args.cols)
        size = path.stat().st_size
        print(f"generated {args.rows:,} rows × {args.cols} columns, {size / 2**20:.0f} MiB, "
              f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
        with PeakRss() as rss:
            started, cpu_started = time.perf_counter(), time.process_time()
            outcome = run_pipeline(path, kinds, args.chunk_rows)
            seconds = time.perf_counter() - started
            cpu_seconds = time.process_time() - cpu_started
        naive_seconds, naive_rows = run_naive(path, kinds, min(args.naive_sample, args.rows))
    naive_total = naive_seconds / max(naive_rows, 1) * args.rows
    peak_mib = rss.peak / 2**20
    print(
        f"pipeline: {seconds:.1f} s, {args.rows / seconds:,.0f} rows/s, "
        f"peak RSS {peak_mib:,.0f} MiB, "
        f"{outcome['ok']:,} rows ok, {outcome['failed']:,} line errors"
    )
    print(f"naive (csv + per-cell Python, {naive_rows:,} rows): {naive_rows / naive_seconds:,.0f} "
          f"rows/s → {naive_total:.1f} s for {args.rows:,} rows")  # fmt: skip
    print(json.dumps({
        "bench": "import_pipeline", "rows": args.rows, "cols": args.cols, "bytes": size,
        "seconds": round(seconds, 2), "cpu_seconds": round(cpu_seconds, 2),
        "rows_per_second": round(args.rows / seconds),
        "peak_rss_mib": round(peak_mib), "ru_maxrss_mib": round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "rows_ok": outcome["ok"], "line_errors": outcome["failed"],
        "naive_rows_per_second": round(naive_rows / naive_seconds),
        "naive_seconds_extrapolated": round(naive_total, 1),
        "ratio": round(naive_total / seconds, 1),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
