"""The marketplace export's job page lists why listings were left out in the reader's language:
the worker stores each rule's English and Chinese message, the page shows the active one."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from apps.catalog.exports.marketplace import marketplace_export_run, marketplace_export_start
from apps.core.models import Job
from tests.factories import ListingFactory, StoreFactory, marketplace


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)


def test_the_left_out_reasons_show_in_chinese_for_a_chinese_reader(org, user, client_for):
    store = StoreFactory(organization=org, marketplace=marketplace("amazon_us"), seller_id="A9X")
    bad = ListingFactory(organization=org, store=store, title="Best seller cable!")
    ListingFactory(organization=org, store=store, price=None)
    with translation.override("en"):  # the worker's language
        job = marketplace_export_start(org=org, actor=user, store_id=store.pk, fmt="amazon_json")
        marketplace_export_run(org=org, job=job)
    job = Job.objects.for_org(org).get(pk=job.pk)
    left_out = {e["id"]: e for e in job.result["excluded"]}
    assert any("best seller" in r for r in left_out[bad.pk]["reasons"])
    zh = left_out[bad.pk]["reasons_zh"]
    assert zh and all(any("\u4e00" <= ch <= "\u9fff" for ch in r) for r in zh), zh

    client = client_for(user)
    english = client.get(reverse("exports:job", args=[job.pk])).content.decode()
    assert "The listing has no price." in english
    client.cookies["django_language"] = "zh-hans"
    chinese = client.get(reverse("exports:job", args=[job.pk])).content.decode()
    assert zh[0] in chinese
    assert "The listing has no price." not in chinese and "此商品链接没有价格。" in chinese
