from decimal import Decimal

import pytest
from django.db.models import Sum

from apps.ads.bulk_import import bulk_file_import
from apps.ads.imports import search_terms_import
from apps.ads.models import (
    AdGroup,
    Campaign,
    NegativeKeyword,
    ProductAd,
    SearchTermStat,
    Target,
    TargetStat,
)
from apps.integrations.tabular.errors import TabularFormatError

pytestmark = pytest.mark.django_db


def totals(org):
    return SearchTermStat.objects.for_org(org).aggregate(
        spend=Sum("spend"),
        sales=Sum("sales"),
        clicks=Sum("clicks"),
        orders=Sum("orders"),
        impressions=Sum("impressions"),
        units=Sum("units"),
    )


def rows(org):
    return sorted(
        SearchTermStat.objects.for_org(org).values_list(
            "day",
            "campaign__name",
            "ad_group__name",
            "targeting",
            "match_type",
            "search_term",
            "impressions",
            "clicks",
            "spend",
            "orders",
            "units",
            "sales",
            "currency",
        )
    )


def test_csv_and_xlsx_parse_to_the_same_values(org, other_org, store, st_csv, st_xlsx):
    from tests.factories import StoreFactory

    r1 = search_terms_import(org=org, store_id=store.pk, data=st_csv, filename="st.csv")
    assert r1.errors == [] and r1.imported == r1.rows > 10
    other_store = StoreFactory(organization=other_org)
    r2 = search_terms_import(
        org=other_org, store_id=other_store.pk, data=st_xlsx, filename="st.xlsx"
    )
    assert r2.errors == [], r2.errors
    assert rows(org) == rows(other_org)
    first = rows(org)[0]
    assert first[-1] == "USD"
    auto = Campaign.objects.for_org(org).get(name="KVX PB10K - SP - Auto")
    assert auto.targeting == "auto"
    assert SearchTermStat.objects.for_org(org).filter(search_term="b0cqz4r7tm").exists()
    stat = (
        SearchTermStat.objects.for_org(org)
        .filter(search_term="portable charger")
        .order_by("day")
        .first()
    )
    assert stat.spend == Decimal("3.36") and stat.sales == Decimal("25.99") and stat.clicks == 4
    assert TargetStat.objects.for_org(org).aggregate(s=Sum("spend"))["s"] == totals(org)["spend"]


def test_reimport_of_overlapping_days_keeps_totals(org, store, st_csv):
    search_terms_import(org=org, store_id=store.pk, data=st_csv, filename="a.csv")
    before = totals(org)
    # The same days in another file (a different header variant: other bytes, same rows).
    variant = st_csv.replace(b"Customer Search Term", b"Customer search term ")
    result = search_terms_import(org=org, store_id=store.pk, data=variant, filename="b.csv")
    assert result.replaced == result.imported > 0
    assert totals(org) == before
    # The very same bytes again: recognised, nothing applied.
    again = search_terms_import(org=org, store_id=store.pk, data=st_csv, filename="a.csv")
    assert again.duplicate_of is not None and totals(org) == before


def _text(st_csv):
    return st_csv.decode("utf-8-sig")


def test_header_and_number_variants_parse_to_the_same_values(org, other_org, store, st_csv):
    from tests.factories import StoreFactory

    search_terms_import(org=org, store_id=store.pk, data=st_csv, filename="a.csv")
    text = _text(st_csv)
    german = {
        "Start Date": "Startdatum",
        "End Date": "Enddatum",
        "Portfolio name": "Portfolioname",
        "Currency": "Währung",
        "Campaign Name": "Kampagnenname",
        "Ad Group Name": "Anzeigengruppenname",
        "Targeting": "Ausrichtung",
        "Match Type": "Übereinstimmungstyp",
        "Customer Search Term": "Suchbegriff des Kunden",
        "Impressions": "Impressionen",
        "Clicks,": "Klicks,",
        "Spend": "Ausgaben",
        "7 Day Total Sales ": "Umsatz insgesamt in 14 Tagen",
        "7 Day Total Orders (#)": "Bestellungen insgesamt in 14 Tagen (#)",
        "7 Day Total Units (#)": "Einheiten insgesamt in 14 Tagen (#)",
    }
    header, body = text.split("\r\n", 1)
    for en, de in german.items():
        header = header.replace(en, de)
    # Extra drift columns at the front, money without symbols, quoted decimals with commas.
    lines = body.strip().split("\r\n")
    body = "\r\n".join(f"Amazon,US,{line}".replace("$", "") for line in lines)
    variant = f"Retailer,Country,{header}\r\n{body}\r\n".encode()
    other_store = StoreFactory(organization=other_org)
    res = search_terms_import(
        org=other_org, store_id=other_store.pk, data=variant, filename="de.csv"
    )
    assert res.errors == []
    assert rows(org) == rows(other_org)
    assert set(
        SearchTermStat.objects.for_org(other_org).values_list("attribution_days", flat=True)
    ) == {14}


def test_missing_required_column_is_named(org, store, st_csv):
    broken = st_csv.replace(b"Customer Search Term", b"Query")
    with pytest.raises(TabularFormatError, match="search_term"):
        search_terms_import(org=org, store_id=store.pk, data=broken, filename="x.csv")


def test_bad_lines_are_numbered_and_good_rows_kept(org, store, st_csv):
    text = _text(st_csv).split("\r\n")
    text[2] = text[2].replace("$2.31", "$abc")
    res = search_terms_import(
        org=org, store_id=store.pk, data="\r\n".join(text).encode(), filename="x.csv"
    )
    assert [e.line for e in res.errors] == [3]
    assert res.imported == res.rows - 1


def test_bulk_file_learns_the_campaign_tree(org, store, listing, bulk_xlsx, st_csv):
    search_terms_import(org=org, store_id=store.pk, data=st_csv, filename="a.csv")
    res = bulk_file_import(org=org, store_id=store.pk, data=bulk_xlsx, filename="bulk.xlsx")
    assert res.errors == [], res.errors
    auto = Campaign.objects.for_org(org).get(name="KVX PB10K - SP - Auto")
    assert auto.amazon_id == "291875503318467" and auto.daily_budget == Decimal("25")
    assert auto.targeting == "auto" and Campaign.objects.for_org(org).count() == 2
    manual = Campaign.objects.for_org(org).get(amazon_id="172650982214039")
    assert manual.portfolio == "Power Banks"
    group = AdGroup.objects.for_org(org).get(amazon_id="305718864450236")
    assert group.default_bid == Decimal("1") and group.campaign == manual
    kw = Target.objects.for_org(org).get(amazon_id="73390215847104")
    assert (kw.text, kw.match_type, kw.bid) == ("usb c power bank", "exact", Decimal("1.2"))
    assert Target.objects.for_org(org).filter(kind="auto").count() == 4
    assert Target.objects.for_org(org).filter(kind="product", text='asin="B0C5NJ8W3V"').exists()
    assert ProductAd.objects.for_org(org).filter(listing=listing).count() == 2
    neg = NegativeKeyword.objects.for_org(org).get(text="50000mah")
    assert neg.ad_group is None and neg.match_type == "negativePhrase"
    assert NegativeKeyword.objects.for_org(org).get(text="solar").ad_group == group
    # Again (other bytes, same tree): nothing doubles.
    res2 = bulk_file_import(org=org, store_id=store.pk, data=bulk_xlsx + b"", filename="b.xlsx")
    assert res2.duplicate_of is not None
    assert Target.objects.for_org(org).count() == 8


def _summary(st_csv: bytes, start: str, end: str) -> bytes:
    """The sample's rows as one summary report over start..end (every row Start/End the same)."""
    import re

    text = st_csv.decode("utf-8-sig")
    text = re.sub(r'^"[A-Z][a-z]{2} \d\d, \d{4}","[A-Z][a-z]{2} \d\d, \d{4}"',
                  f'"{start}","{end}"', text, flags=re.M)  # fmt: skip
    return text.encode("utf-8-sig")


def test_summary_report_keeps_its_period_and_is_spread_over_its_days(org, store, st_csv):
    from datetime import date

    from apps.ads.selectors import campaign_daily, campaign_list, waste_by_week

    summary = _summary(st_csv, "Sep 01, 2025", "Sep 10, 2025")
    result = search_terms_import(org=org, store_id=store.pk, data=summary, filename="sum.csv")
    assert result.errors == [] and result.imported > 0
    assert (result.first_day, result.last_day) == (date(2025, 9, 1), date(2025, 9, 10))
    periods = set(SearchTermStat.objects.for_org(org).values_list("day", "end_day"))
    assert periods == {(date(2025, 9, 1), date(2025, 9, 10))}
    assert set(TargetStat.objects.for_org(org).values_list("day", "end_day")) == periods
    total = totals(org)["spend"]
    # A chart's daily series spreads the row evenly: each of the 10 days holds a tenth.
    camp = Campaign.objects.for_org(org).get(name="KVX PB10K - SP - Auto")
    mine = SearchTermStat.objects.for_org(org).filter(campaign=camp).aggregate(s=Sum("spend"))["s"]
    days = campaign_daily(org=org, campaign_id=camp.pk, start=date(2025, 8, 25),
                          end=date(2025, 9, 30))  # fmt: skip
    assert [d["day"] for d in days] == [date(2025, 9, d) for d in range(1, 11)]
    assert abs(sum(d["spend"] for d in days) - mine) <= Decimal("0.05")
    assert abs(days[0]["spend"] - mine / 10) <= Decimal("0.01")
    # A window holding half of the period takes half of it.
    half = campaign_list(org=org, start=date(2025, 9, 6), end=date(2025, 9, 20))
    assert abs(sum(r["spend"] for r in half) - total / 2) <= Decimal("0.05")
    # Wasted spend by week: the weeks of Sep 1 and Sep 8 share the spend 7:3.
    weeks = waste_by_week(org=org, start=date(2025, 8, 25), end=date(2025, 9, 30))
    assert [w.week for w in weeks] == [date(2025, 9, 1), date(2025, 9, 8)]
    assert abs(weeks[0].spend - total * Decimal("0.7")) <= Decimal("0.05")
    assert abs(sum(w.spend for w in weeks) - total) <= Decimal("0.05")


def test_reimport_over_a_summary_period_replaces_it(org, store, st_csv):
    from datetime import date

    search_terms_import(
        org=org, store_id=store.pk, data=_summary(st_csv, "Sep 01, 2025", "Sep 10, 2025"),
        filename="a.csv",
    )  # fmt: skip
    before = totals(org)
    # A summary over an overlapping period (Sep 05–14) replaces the first one, never adds to it.
    again = search_terms_import(
        org=org, store_id=store.pk, data=_summary(st_csv, "Sep 05, 2025", "Sep 14, 2025"),
        filename="b.csv",
    )  # fmt: skip
    assert again.replaced == again.imported > 0
    assert totals(org) == before
    periods = set(SearchTermStat.objects.for_org(org).values_list("day", "end_day"))
    assert periods == {(date(2025, 9, 5), date(2025, 9, 14))}
    # The daily report of the same days replaces the summary as well.
    daily = search_terms_import(org=org, store_id=store.pk, data=st_csv, filename="d.csv")
    assert daily.replaced == again.imported
    assert totals(org) == before
    assert all(d == e for d, e in SearchTermStat.objects.for_org(org).values_list("day", "end_day"))


def test_merged_periods_keep_gaps():
    import pandas as pd

    from apps.ads.imports import merged_periods

    d = pd.to_datetime
    frame = pd.DataFrame(
        {
            "campaign_id": [1, 1, 1, 2],
            "day": d(["2025-09-01", "2025-09-02", "2025-09-05", "2025-09-01"]),
            "end_day": d(["2025-09-01", "2025-09-03", "2025-09-05", "2025-09-30"]),
        }
    )
    out = merged_periods(frame)
    got = [(r.campaign_id, str(r.day.date()), str(r.end_day.date())) for r in out.itertuples()]
    assert got == [(1, "2025-09-01", "2025-09-03"), (1, "2025-09-05", "2025-09-05"),
                   (2, "2025-09-01", "2025-09-30")]  # fmt: skip
