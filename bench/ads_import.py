"""Benchmark: import 1,000,000 search-term rows and compute all ads recommendations.

    .venv/bin/python bench/ads_import.py [--rows 1000000] [--xlsx-rows 100000] [--keep]

Generates (into a temporary directory, not timed) a search-term report in the console's CSV
conventions (BOM, CRLF, `$3.36`, `0.971%` with float noise, empty ACoS, `Sep 08, 2025` dates,
headers with trailing spaces): 30 days, 200 campaigns (half auto, half manual, two ad groups
each), 60,000 distinct search terms with realistic waste (no orders) and converting terms; the
manual ad groups' keywords exist as targets with bids. Then measures, end to end:

1. `search_terms_import` of the CSV (tabular pipeline → campaigns/ad groups resolved once per
   name → each chunk COPYed into a temp staging table → one DELETE of the overlapping periods,
   one INSERT ... SELECT, target stats aggregated from the stage);
2. `recommendations_run` (aggregation in PostgreSQL read back through COPY TO STDOUT + Arrow,
   every rule in pandas/NumPy, drafts written with COPY + one INSERT through review's
   `drafts_create_many(keyed=True)`);
3. separately, `search_terms_import` of an XLSX of `--xlsx-rows` rows into another store.

4. the naive way, for the ratio: the first `--naive-rows` rows of the same CSV read with the
   csv module, a Decimal and a strptime per cell, Django objects and `bulk_create` (1,000 a
   batch) into a third store; its rows per second against the CSV import's.

Peak memory: the process's peak RSS (ru_maxrss). CPU: the process's CPU time per phase
and, read from /proc, the CPU of our connection's PostgreSQL backend. The load average is
printed at the start and the end. Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import django_setup

SLUG = "bench-ads"
HEADER = [
    "Start Date",
    "End Date",
    "Portfolio name",
    "Currency",
    "Campaign Name",
    "Ad Group Name",
    "Targeting",
    "Match Type",
    "Customer Search Term",
    "Impressions",
    "Clicks",
    "Click-Thru Rate (CTR)",
    "Cost Per Click (CPC)",
    "Spend",
    "7 Day Total Sales ",
    "Total Advertising Cost of Sales (ACOS) ",
    "Total Return on Advertising Spend (ROAS)",
    "7 Day Total Orders (#)",
    "7 Day Total Units (#)",
    "7 Day Conversion Rate",
    "7 Day Advertised SKU Units (#)",
    "7 Day Other SKU Units (#)",
    "7 Day Advertised SKU Sales ",
    "7 Day Other SKU Sales ",
]
WORDS = [
    "power",
    "bank",
    "charger",
    "cable",
    "usb",
    "fast",
    "portable",
    "wireless",
    "magnetic",
    "slim",
    "travel",
    "solar",
    "phone",
    "iphone",
    "samsung",
    "android",
    "laptop",
    "car",
    "wall",
    "adapter",
    "braided",
    "long",
    "short",
    "mini",
    "compact",
    "battery",
    "pack",
    "10000mah",
    "20000mah",
    "pd",
    "qc",
    "kids",
    "toy",
    "cheap",
    "free",
    "repair",
    "used",
]
AUTO = ["close-match", "loose-match", "substitutes", "complements"]


def frame(rows: int, seed: int = 7):
    import pandas as pd

    rng = np.random.default_rng(seed)
    n_terms = 60_000
    term_words = rng.integers(0, len(WORDS), size=(n_terms, 4))
    lengths = rng.integers(2, 5, size=n_terms)
    terms = np.array(
        [
            " ".join(WORDS[w] for w in tw[:k]) + f" {i % 997}"
            for i, (tw, k) in enumerate(zip(term_words, lengths, strict=True))
        ]
    )
    campaign = rng.integers(0, 200, size=rows)
    group = rng.integers(0, 2, size=rows)
    auto = campaign % 2 == 0
    # Each campaign draws from its own slice of the vocabulary (neighbours overlap a little).
    term_idx = (campaign * 300 + rng.zipf(1.3, size=rows) % 600) % n_terms
    start = date(2025, 8, 1)
    days = rng.integers(0, 30, size=rows)
    clicks = rng.poisson(2.0, size=rows)
    cpc = np.round(rng.uniform(0.3, 1.6, size=rows), 2)
    spend = np.round(clicks * cpc, 2)
    good = (term_idx % 5) != 0
    orders = np.where(good, rng.binomial(clicks, 0.12), 0)
    sales = np.round(orders * 25.99, 2)
    kw = np.array(["power bank", "usb c charger", "portable charger", "wireless charger"])
    kw_idx = campaign % 4
    match = np.array(["BROAD", "PHRASE", "EXACT", "BROAD"])[kw_idx]
    dates = [(start + timedelta(days=int(d))).strftime("%b %d, %Y") for d in range(30)]
    ctr = np.where(clicks > 0, clicks / np.maximum(clicks * 50, 1) * 100, 0)
    acos = np.where(sales > 0, spend / np.where(sales > 0, sales, 1) * 100, np.nan)
    data = {
        "Start Date": np.array(dates)[days],
        "End Date": np.array(dates)[days],
        "Portfolio name": "No Portfolio",
        "Currency": "USD",
        "Campaign Name": np.char.add("Bench campaign ", campaign.astype(str)),
        "Ad Group Name": np.char.add("Group ", group.astype(str)),
        "Targeting": np.where(auto, np.array(AUTO)[term_idx % 4], kw[kw_idx]),
        "Match Type": np.where(auto, "-", match),
        "Customer Search Term": terms[term_idx],
        "Impressions": clicks * 50 + 3,
        "Clicks": clicks,
        "Click-Thru Rate (CTR)": [f"{x}%" for x in ctr],
        "Cost Per Click (CPC)": [f"${x}" for x in cpc],
        "Spend": [f"${x}" for x in spend],
        "7 Day Total Sales ": [f"${x}" for x in sales],
        "Total Advertising Cost of Sales (ACOS) ": ["" if np.isnan(a) else f"{a}%" for a in acos],
        "Total Return on Advertising Spend (ROAS)": np.round(sales / np.maximum(spend, 0.01), 2),
        "7 Day Total Orders (#)": orders,
        "7 Day Total Units (#)": orders,
        "7 Day Conversion Rate": "0.0%",
        "7 Day Advertised SKU Units (#)": orders,
        "7 Day Other SKU Units (#)": 0,
        "7 Day Advertised SKU Sales ": [f"${x}" for x in sales],
        "7 Day Other SKU Sales ": "$0.0",
    }
    return pd.DataFrame(data)[HEADER]


def write_csv(df, path: Path) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        df.to_csv(handle, index=False, lineterminator="\r\n")


def write_xlsx(df, path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Sponsored_Products_Search_term_")
    sheet.append(HEADER)
    for row in df.itertuples(index=False):
        sheet.append(list(row))
    book.save(path)


def targets_for(org) -> None:
    """The manual campaigns' keywords as targets with bids (what a bulk file would teach)."""
    from decimal import Decimal

    from apps.ads.models import AdGroup, Target

    kw = {
        "power bank": "broad",
        "usb c charger": "phrase",
        "portable charger": "exact",
        "wireless charger": "broad",
    }
    objs = []
    for g in AdGroup.objects.for_org(org).select_related("campaign"):
        if g.campaign.targeting == "manual":
            n = int(g.campaign.name.rsplit(" ", 1)[1])
            text = list(kw)[n % 4]
            objs.append(
                Target(
                    organization=org,
                    ad_group=g,
                    kind="keyword",
                    text=text,
                    match_type=kw[text],
                    bid=Decimal("1.00"),
                    amazon_id=str(10**14 + g.pk),
                )
            )
        else:
            objs += [
                Target(
                    organization=org,
                    ad_group=g,
                    kind="auto",
                    text=a,
                    match_type="",
                    bid=Decimal("0.80"),
                )
                for a in AUTO
            ]
    Target.objects.bulk_create(objs, ignore_conflicts=True)


def db_cpu() -> float:
    """CPU seconds the PostgreSQL backend of our connection has used (from /proc; 0 when the
    server is not on this machine)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def naive_import(org, store, path: Path, limit: int) -> int:
    """Row by row, as one would write it first: csv module, Decimal/strptime per cell,
    campaigns and ad groups by name, ORM objects, bulk_create in batches of 1,000."""
    from datetime import datetime
    from decimal import Decimal

    from apps.ads.models import AdGroup, Campaign, SearchTermStat

    campaigns: dict[str, Campaign] = {}
    groups: dict[tuple[str, str], AdGroup] = {}
    batch: list[SearchTermStat] = []
    n = 0
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            if n >= limit:
                break
            row = {k.strip(): v for k, v in row.items()}
            name = row["Campaign Name"]
            if name not in campaigns:
                campaigns[name], _ = Campaign.objects.get_or_create(
                    organization=org, store=store, name=name
                )
            key = (name, row["Ad Group Name"])
            if key not in groups:
                groups[key], _ = AdGroup.objects.get_or_create(
                    organization=org, campaign=campaigns[name], name=key[1]
                )
            day = datetime.strptime(row["Start Date"], "%b %d, %Y").date()
            batch.append(
                SearchTermStat(
                    organization=org,
                    store=store,
                    campaign=campaigns[name],
                    ad_group=groups[key],
                    day=day,
                    end_day=datetime.strptime(row["End Date"], "%b %d, %Y").date(),
                    targeting=row["Targeting"],
                    match_type="" if row["Match Type"] == "-" else row["Match Type"].lower(),
                    search_term=" ".join(row["Customer Search Term"].lower().split()),
                    impressions=int(row["Impressions"] or 0),
                    clicks=int(row["Clicks"] or 0),
                    spend=Decimal(row["Spend"].lstrip("$") or "0"),
                    orders=int(row["7 Day Total Orders (#)"] or 0),
                    units=int(row["7 Day Total Units (#)"] or 0),
                    sales=Decimal(row["7 Day Total Sales"].lstrip("$") or "0"),
                    currency=row["Currency"],
                )
            )
            n += 1
            if len(batch) >= 1000:
                SearchTermStat.objects.bulk_create(batch)
                batch = []
    if batch:
        SearchTermStat.objects.bulk_create(batch)
    return n


def cleanup(org_id: int) -> None:
    from django.db import connection

    from apps.accounts.models import Organization

    with connection.cursor() as cursor:
        for table in ("ads_searchtermstat", "ads_targetstat", "review_reviewevent", "review_draft"):
            cursor.execute(f"DELETE FROM {table} WHERE organization_id = %s", [org_id])
    Organization.objects.filter(pk=org_id).delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=100_000)
    parser.add_argument("--naive-rows", type=int, default=20_000)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--generate", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:  # the child process: write the files and stop
        out = Path(args.generate)
        write_csv(frame(args.rows), out / "st.csv")
        write_xlsx(frame(args.xlsx_rows, seed=11), out / "st.xlsx")
        return
    django_setup()

    from apps.accounts.models import Organization
    from apps.ads.imports import search_terms_import
    from apps.ads.recommendations import recommendations_run
    from apps.catalog.models import Marketplace, Store
    from apps.review.models import Draft

    for old in Organization.objects.filter(slug=SLUG).values_list("pk", flat=True):
        cleanup(old)
    org = Organization.objects.create(name="Bench ads", slug=SLUG)
    us = Marketplace.objects.get(code="amazon_us")
    store = Store.objects.create(organization=org, marketplace=us, name="Bench US")
    store_x = Store.objects.create(organization=org, marketplace=us, name="Bench US (xlsx)")
    store_n = Store.objects.create(organization=org, marketplace=us, name="Bench US (naive)")
    load0 = os.getloadavg()
    print(f"load average at the start: {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}")
    tmp = Path(tempfile.mkdtemp())
    try:
        t0 = time.perf_counter()
        csv_path, xlsx_path = tmp / "st.csv", tmp / "st.xlsx"
        # In a child process, so the peak RSS below is the import's and the rules', not the
        # generator's million-row frame.
        subprocess.run(
            [sys.executable, __file__, "--generate", str(tmp), "--rows", str(args.rows),
             "--xlsx-rows", str(args.xlsx_rows)],
            check=True,
        )  # fmt: skip
        print(
            f"generated {args.rows:,} CSV rows ({csv_path.stat().st_size / 1e6:.0f} MB) and "
            f"{args.xlsx_rows:,} XLSX rows in {time.perf_counter() - t0:.1f}s"
        )
        # The tree first (a small import teaches the campaigns), so targets exist for the bid rule.
        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t0, c0, d0 = time.perf_counter(), time.process_time(), db_cpu()
        result = search_terms_import(org=org, store_id=store.pk, data=csv_path, filename="st.csv")
        t_import, c_import = time.perf_counter() - t0, time.process_time() - c0
        d_import = db_cpu() - d0
        print(
            f"CSV import: {result.imported:,} rows ({len(result.errors)} errors, "
            f"{result.campaigns_created} campaigns) in {t_import:.1f}s (CPU {c_import:.1f}s, "
            f"PostgreSQL backend CPU {d_import:.1f}s)"
        )
        targets_for(org)
        t0, c0, d0 = time.perf_counter(), time.process_time(), db_cpu()
        run = recommendations_run(org=org)
        t_recs, c_recs = time.perf_counter() - t0, time.process_time() - c0
        d_recs = db_cpu() - d0
        print(
            f"recommendations: {run.drafts:,} drafts {run.counts} in {t_recs:.1f}s "
            f"(CPU {c_recs:.1f}s, PostgreSQL backend CPU {d_recs:.1f}s)"
        )
        t0, c0 = time.perf_counter(), time.process_time()
        xres = search_terms_import(org=org, store_id=store_x.pk, data=xlsx_path, filename="st.xlsx")
        t_xlsx, c_xlsx = time.perf_counter() - t0, time.process_time() - c0
        print(f"XLSX import: {xres.imported:,} rows in {t_xlsx:.1f}s (CPU {c_xlsx:.1f}s)")
        t0 = time.perf_counter()
        naive_n = naive_import(org, store_n, csv_path, args.naive_rows)
        t_naive = time.perf_counter() - t0
        naive_rps = naive_n / t_naive if t_naive else 0.0
        fast_rps = result.imported / t_import if t_import else 0.0
        print(
            f"naive import (csv module, Decimal per cell, ORM bulk_create): {naive_n:,} rows in "
            f"{t_naive:.1f}s = {naive_rps:,.0f} rows/s; set-based: {fast_rps:,.0f} rows/s"
        )
        load1 = os.getloadavg()
        print(f"load average at the end: {load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f}")
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"peak RSS {rss / 1024:.0f} MiB (before the import: {rss0 / 1024:.0f} MiB)")
        drafts = Draft.objects.for_org(org).filter(kind="ad_change", status="pending").count()
        print(
            json.dumps(
                {
                    "rows": args.rows,
                    "import_s": round(t_import, 2),
                    "import_cpu_s": round(c_import, 2),
                    "import_db_cpu_s": round(d_import, 2),
                    "recommendations_s": round(t_recs, 2),
                    "recommendations_cpu_s": round(c_recs, 2),
                    "recommendations_db_cpu_s": round(d_recs, 2),
                    "end_to_end_cpu_s": round(c_import + d_import + c_recs + d_recs, 2),
                    "end_to_end_s": round(t_import + t_recs, 2),
                    "rows_per_s": round(args.rows / (t_import + t_recs)),
                    "import_rows_per_s": round(fast_rps),
                    "naive_rows_per_s": round(naive_rps),
                    "ratio_vs_naive": round(fast_rps / naive_rps, 1) if naive_rps else None,
                    "drafts": drafts,
                    "rules": run.counts,
                    "xlsx_rows": args.xlsx_rows,
                    "xlsx_import_s": round(t_xlsx, 2),
                    "xlsx_rows_per_s": round(args.xlsx_rows / t_xlsx) if t_xlsx else None,
                    "load_avg_start": round(load0[0], 2),
                    "load_avg_end": round(load1[0], 2),
                    "peak_rss_mib": round(rss / 1024),
                    "target_s": 60,
                    "ok": t_import + t_recs < 60,
                }
            )
        )
    finally:
        for f in tmp.iterdir():
            f.unlink()
        tmp.rmdir()
        if not args.keep:
            cleanup(org.pk)


if __name__ == "__main__":
    main()
