"""The B2B terms page: owners and managers edit margin breaks, MOQ, lead time, default Incoterm
and the freight lanes quoted (en + zh); every value is bounded; reviewers and viewers get 403
even when they are staff; another organization's terms are never shown or changed; new
quotations use the saved terms."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from apps.accounts.models import Role
from apps.core.errors import ValidationFailed
from apps.support.b2b.models import B2BMarginRule, B2BTerms
from apps.support.b2b.services import inquiry_create
from apps.support.b2b.terms import terms_update
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db
URL = "/support/b2b/terms/"


def form(**over) -> dict:
    data = {
        "currency": "USD", "moq": "200", "production_days": "25", "default_incoterm": "FOB",
        "freight_modes": ["sea", "air"], "validity_days": "45",
        "export_fee_per_shipment": "150", "handling_per_unit": "0.10", "insurance_pct": "0.3",
        "origin_port": "Ningbo",
        "break_qty_0": "100", "break_margin_0": "35", "break_qty_1": "1000",
        "break_margin_1": "25",
    }  # fmt: skip
    data.update(over)
    return data


def test_reverse_resolves():
    assert reverse("support:b2b_terms") == URL


@pytest.mark.parametrize("role", [Role.OWNER, Role.MANAGER])
def test_owners_and_managers_edit_the_terms_and_quotations_use_them(
    org, member_with_role, client_for, role
):
    client = client_for(member_with_role(role))
    page = client.get(URL)
    assert page.status_code == 200 and b'data-testid="b2b-terms-form"' in page.content
    response = client.post(URL, form())
    assert response.status_code == 302, response.content.decode()[:2000]
    terms = B2BTerms.objects.for_org(org).get()
    assert (terms.moq, terms.production_days, terms.default_incoterm) == (200, 25, "FOB")
    assert terms.freight_modes == ["sea", "air"] and terms.origin_port == "Ningbo"
    breaks = list(B2BMarginRule.objects.for_org(org).values_list("min_quantity", "margin_pct"))
    assert breaks == [(100, Decimal("35.00")), (1000, Decimal("25.00"))]
    ProductFactory(organization=org, sku="KX-200", unit_cost=Decimal("6.00"),
                   cost_currency="USD", weight_g=Decimal("200"))  # fmt: skip
    inquiry = inquiry_create(
        org=org, text="Wholesale offer please for KX-200, 500 pcs to Hamburg.", draft=False
    )
    computation = inquiry.quotations.get().computation
    assert computation["incoterm"] == "FOB"  # the inquiry named none
    assert computation["moq"] == 200 and computation["production_days"] == 25
    tier = next(t for t in computation["tiers"] if t["quantity"] == 500)
    assert set(tier["modes"]) == {"sea", "air"} and tier["margin_pct"] == "35.00"
    assert tier["modes"]["sea"]["lead_time_days"] == 25 + tier["modes"]["sea"]["transit_days"]


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.VIEWER])
def test_a_staff_user_without_the_role_gets_403(org, member_with_role, client_for, role):
    user = member_with_role(role)
    user.is_staff = True
    user.save()
    client = client_for(user)
    assert client.get(URL).status_code == 403
    assert client.post(URL, form(moq="1")).status_code == 403
    assert not B2BTerms.objects.for_org(org).exists()
    listing = client.get(reverse("support:b2b_inquiries"))
    assert b'data-testid="b2b-terms-link"' not in listing.content


def test_another_organizations_manager_changes_only_their_own_terms(
    org, other_org, outsider, client_for
):
    B2BTerms.objects.create(organization=org, moq=300, origin_port="Shenzhen")
    client = client_for(outsider)
    page = client.get(URL)
    assert page.status_code == 200 and b'value="300"' not in page.content
    assert client.post(URL, form(moq="999")).status_code == 302
    assert B2BTerms.objects.for_org(org).get().moq == 300
    assert B2BTerms.objects.for_org(other_org).get().moq == 999


@pytest.mark.parametrize(
    "over",
    [
        {"moq": "0"}, {"moq": "99999999"}, {"production_days": "-1"},
        {"production_days": "400"}, {"break_margin_0": "95"}, {"break_margin_0": "-5"},
        {"break_qty_0": "500", "moq": "200"},  # the lowest break above the MOQ
        {"break_qty_1": "100"},  # two breaks at one quantity
        {"break_qty_0": "", "break_margin_0": "", "break_qty_1": "", "break_margin_1": ""},
        {"break_margin_1": ""}, {"freight_modes": []}, {"freight_modes": ["rail"]},
        {"default_incoterm": "DAP"}, {"currency": "XXX"}, {"origin_port": "x" * 65},
        {"insurance_pct": "50"}, {"moq": "abc"}, {"break_qty_0": "1e9"},
    ],
)  # fmt: skip
def test_bad_values_are_refused_with_the_form_shown_again(org, user, client_for, over):
    response = client_for(user).post(URL, form(**over))
    assert response.status_code == 200
    assert not B2BTerms.objects.for_org(org).exists()


def test_the_service_bounds_values_whatever_the_caller(org):
    data = {"currency": "USD", "moq": 100, "production_days": 10, "validity_days": 30,
            "export_fee_per_shipment": Decimal("1"), "handling_per_unit": Decimal("0"),
            "insurance_pct": Decimal("0.3"), "origin_port": "Ningbo",
            "freight_modes": ["sea"], "default_incoterm": ""}  # fmt: skip
    with pytest.raises(ValidationFailed):
        terms_update(org=org, data={**data, "moq": 0}, margins=[(1, Decimal("10"))])
    with pytest.raises(ValidationFailed):
        terms_update(org=org, data=data, margins=[(1, Decimal("99"))])
    with pytest.raises(ValidationFailed):
        terms_update(org=org, data={**data, "freight_modes": ["sea", "sea"]},
                     margins=[(1, Decimal("10"))])  # fmt: skip
    terms = terms_update(org=org, data=data, margins=[(1, Decimal("10"))])
    assert terms.freight_modes == ["sea"]


@pytest.mark.parametrize("language, words", [("en", "Freight lanes quoted"),
                                             ("zh-hans", "报价的运输线路")])  # fmt: skip
def test_the_page_is_in_english_and_chinese(user, client_for, language, words):
    client = client_for(user)
    client.cookies["django_language"] = language
    page = client.get(URL)
    assert page.status_code == 200 and words in page.content.decode()
    if language == "zh-hans":  # template strings with "%" are looked up as "%%"
        assert "利润率（%）" in page.content.decode() and "最低档位" in page.content.decode()


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_quotation_is_never_approved_or_sent_by_a_policy(org, user):
    from apps.review.models import Draft, Policy
    from apps.support.models import Message

    Policy.objects.create(organization=org, kind="b2b_quotation", auto_approve=True)
    ProductFactory(organization=org, sku="KX-200", unit_cost=Decimal("6.00"),
                   cost_currency="USD", weight_g=Decimal("200"))  # fmt: skip
    inquiry = inquiry_create(org=org, text="Wholesale offer please for KX-200, 500 pcs, DDP.")
    quotation = inquiry.quotations.get()
    draft = Draft.objects.for_org(org).get(kind="b2b_quotation", target_id=quotation.pk)
    assert draft.status == "pending", draft.error
    assert not Message.objects.for_org(org).filter(direction="outbound").exists()


API = "/api/v1/support/b2b/terms/"


def test_the_api_reads_and_replaces_the_terms_within_the_organization(
    org, other_org, api_client_for
):
    mine, theirs = api_client_for(org), api_client_for(other_org)
    assert mine.get(API).json()["freight_modes"] == ["sea", "air", "express"]  # defaults
    body = {"currency": "EUR", "moq": 50, "production_days": 12, "default_incoterm": "CIF",
            "freight_modes": ["express"], "validity_days": 20,
            "export_fee_per_shipment": "99.00", "handling_per_unit": "0.05",
            "insurance_pct": "0.250", "origin_port": "Xiamen",
            "margins": [{"min_quantity": 50, "margin_pct": "40"},
                        {"min_quantity": 500, "margin_pct": "30"}]}  # fmt: skip
    response = mine.put(API, body, format="json")
    assert response.status_code == 200, response.content
    got = mine.get(API).json()
    assert got["moq"] == 50 and got["freight_modes"] == ["express"]
    assert [m["min_quantity"] for m in got["margins"]] == [50, 500]
    assert theirs.get(API).json()["moq"] != 50  # another organization sees its own
    assert not B2BTerms.objects.for_org(other_org).exists()


@pytest.mark.parametrize(
    "over",
    [{"moq": 0}, {"margins": []}, {"margins": [{"min_quantity": 1, "margin_pct": "95"}] * 1},
     {"freight_modes": ["rail"]}, {"freight_modes": []}, {"origin_port": "x" * 65},
     {"margins": [{"min_quantity": 900, "margin_pct": "10"}]}, {"default_incoterm": "DAP"}],
)  # fmt: skip
def test_the_api_refuses_bad_terms_with_a_400(org, api_client, over):
    body = {"currency": "USD", "moq": 100, "production_days": 12, "default_incoterm": "",
            "freight_modes": ["sea"], "validity_days": 20, "export_fee_per_shipment": "1",
            "handling_per_unit": "0", "insurance_pct": "0.3", "origin_port": "Xiamen",
            "margins": [{"min_quantity": 1, "margin_pct": "30"}]}  # fmt: skip
    response = api_client.put(API, {**body, **over}, format="json")
    assert response.status_code == 400, response.content
    assert not B2BTerms.objects.for_org(org).exists()


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.VIEWER])
def test_the_api_is_for_managers_and_owners_only(org, api_client_for, role):
    client = api_client_for(org, role=role)
    assert client.get(API).status_code == 403
    assert client.put(API, {}, format="json").status_code == 403


def test_the_page_saves_its_own_values_unchanged(org, user, client_for):
    B2BTerms.objects.create(organization=org, moq=300, export_fee_per_shipment=Decimal("150"))
    B2BMarginRule.objects.create(organization=org, min_quantity=300, margin_pct=Decimal("32"))
    client = client_for(user)
    initial = client.get(URL).context["form"].initial
    data = {k: ([str(x) for x in v] if isinstance(v, list) else str(v)) for k, v in
            initial.items()}  # fmt: skip
    response = client.post(URL, data)
    assert response.status_code == 302, response.context["form"].errors
