"""Human labels of product attribute keys, in English and Chinese (and the marketplace languages
the offline generator writes), so people never read `power_w` or `capacity_mAh`.

Sellers' catalogues name the same fact many ways (`battery_life_h`, `hours`); `canonical_key`
folds the spellings the demo and common imports use onto the generator's keys. A key nobody
has labelled yet is shown humanised with its unit (`capacity_l` → "Capacity (l)").
"""

from __future__ import annotations

import re

from apps.catalog.content.offline_lexicon import LABELS

# Other spellings of the generator's keys (lower-cased attribute names).
ALIASES = {
    "active_noise_cancelling": "anc", "noise_cancelling": "anc", "battery_life_h": "hours",
    "battery_life": "hours", "playtime_h": "hours", "led_display": "display",
    "wireless_power_w": "wireless_w", "pack_size": "pack", "water_resistance": "ip",
    "ip_rating": "ip", "colour": "color", "output_w": "power_w", "capacity": "capacity_mah",
    "length": "length_m", "driver": "driver_mm", "voltage": "voltage_v",
}  # fmt: skip
# Labels of keys the generator does not write about but people see on product pages.
EXTRA: dict[str, tuple[str, str]] = {
    "dimensions": ("Dimensions", "尺寸"), "pieces": ("Pieces", "件数"),
    "compartments": ("Compartments", "分格数"), "capacity_l": ("Capacity (l)", "容量（升）"),
    "brand": ("Brand", "品牌"), "model": ("Model", "型号"), "series": ("Series", "系列"),
    "certifications": ("Certifications", "认证"), "compatibility": ("Compatible with", "兼容"),
    "package_contents": ("In the box", "包装内容"), "features": ("Features", "卖点"),
    "weight_g": ("Weight", "重量"), "dimensions_mm": ("Dimensions", "尺寸"),
    "category": ("Category", "类目"),
}  # fmt: skip
_UNIT_SUFFIX = re.compile(r"_(mah|mm|cm|m|g|kg|w|v|h|l|ml|wh|in|oz|lb)$", re.IGNORECASE)


def canonical_key(key: str) -> str:
    lower = str(key).strip().lower()
    return ALIASES.get(lower, lower)


def attribute_label(key: str, language: str = "en") -> str:
    """The label of attribute `key` in `language` ("en", "zh", "de", … or a locale such as
    "zh-hans"); English, then the humanised key, when there is none in that language."""
    lang = (language or "en").split("-")[0].split("_")[0].lower()
    canon = canonical_key(key)
    for table in (LABELS.get(lang), LABELS["en"]):
        if table and canon in table:
            return table[canon]
    if canon in EXTRA:
        en, zh = EXTRA[canon]
        return zh if lang == "zh" else en
    match = _UNIT_SUFFIX.search(canon)
    stem = canon[: match.start()] if match else canon
    text = stem.replace("_", " ").strip().capitalize() or str(key)
    return f"{text} ({match.group(1)})" if match else text
