"""Reference data for the marketplaces crossborder knows (loaded by a data migration)."""

from __future__ import annotations

SHOPIFY_LIMITS = {
    "title_max": 255,
    # Shopify shows about 70 characters of a title in search results (its SEO title advice).
    "title_mobile_warn": 70,
    "bullets_max": 5,
    "bullet_max": 500,
    "search_terms_max_bytes": 500,
}
AMAZON_LIMITS = {
    "title_max": 200,
    "title_mobile_warn": 80,
    "bullets_max": 5,
    "bullet_max": 500,
    "description_max": 2000,
    "search_terms_max_bytes": 249,
}

# code, name, channel, country, currency, language, vat_inclusive, limits
MARKETPLACES: list[tuple] = [
    ("amazon_us", "Amazon.com", "amazon", "US", "USD", "en-US", False, AMAZON_LIMITS),
    ("amazon_ca", "Amazon.ca", "amazon", "CA", "CAD", "en-CA", False, AMAZON_LIMITS),
    ("amazon_uk", "Amazon.co.uk", "amazon", "GB", "GBP", "en-GB", True, AMAZON_LIMITS),
    ("amazon_de", "Amazon.de", "amazon", "DE", "EUR", "de-DE", True, AMAZON_LIMITS),
    ("amazon_fr", "Amazon.fr", "amazon", "FR", "EUR", "fr-FR", True, AMAZON_LIMITS),
    ("amazon_it", "Amazon.it", "amazon", "IT", "EUR", "it-IT", True, AMAZON_LIMITS),
    ("amazon_es", "Amazon.es", "amazon", "ES", "EUR", "es-ES", True, AMAZON_LIMITS),
    ("amazon_jp", "Amazon.co.jp", "amazon", "JP", "JPY", "ja-JP", True, AMAZON_LIMITS),
    (
        "ebay_us",
        "eBay US",
        "ebay",
        "US",
        "USD",
        "en-US",
        False,
        {"title_max": 80, "description_max": 4000},
    ),
    (
        "ebay_uk",
        "eBay UK",
        "ebay",
        "GB",
        "GBP",
        "en-GB",
        True,
        {"title_max": 80, "description_max": 4000},
    ),
    (
        "ebay_de",
        "eBay.de",
        "ebay",
        "DE",
        "EUR",
        "de-DE",
        True,
        {"title_max": 80, "description_max": 4000},
    ),
    ("aliexpress", "AliExpress", "aliexpress", "CN", "USD", "en-US", False, {"title_max": 128}),
    # The own web shop: bullets become a list in Body (HTML) and search terms the Tags column
    # of the Shopify export, so the generator and the quality score treat them as fields.
    ("shopify", "Shopify", "shopify", "US", "USD", "en-US", False, SHOPIFY_LIMITS),
    ("temu", "Temu", "temu", "US", "USD", "en-US", False, {"title_max": 250}),
    (
        "tiktok_us",
        "TikTok Shop US",
        "tiktok",
        "US",
        "USD",
        "en-US",
        False,
        {"title_max": 254, "description_min_words": 30},
    ),
    (
        "tiktok_uk",
        "TikTok Shop UK",
        "tiktok",
        "GB",
        "GBP",
        "en-GB",
        True,
        {"title_max": 254, "description_min_words": 30},
    ),
]


def marketplaces_sync(Marketplace) -> int:
    """Upsert the reference rows; safe to run on every deploy."""
    for code, name, channel, country, currency, language, vat, limits in MARKETPLACES:
        Marketplace.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "channel": channel,
                "country": country,
                "currency": currency,
                "language": language,
                "vat_inclusive": vat,
                "limits": limits,
            },
        )
    return len(MARKETPLACES)
