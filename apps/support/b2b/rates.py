"""Rates a quotation uses when the organization has no data of its own (all Decimal, as data).

Duty: a general ad-valorem rate per destination for consumer electronics and accessories
(HS chapters 84/85; the organization overrides per country in B2BTerms.duty_pct). Import VAT
comes from apps.pricing.cost.vat_rate (the organization's VatRate rows, then standard rates).
Freight per kg by mode is used only when apps.logistics has no shipment history to the
destination for that mode; transit days likewise fall back to the planner's defaults.
"""

from __future__ import annotations

from decimal import Decimal as D

INCOTERMS = ("EXW", "FOB", "CIF", "DDP")
MODES = ("sea", "air", "express")
# Insurance is on 110 % of the CIF value (Incoterms practice).
INSURED_SHARE = D("1.10")
DEFAULT_UNIT_WEIGHT_KG = D("0.5")

DUTY_PCT: dict[str, D] = {
    "DE": D("2.7"), "FR": D("2.7"), "ES": D("2.7"), "IT": D("2.7"), "NL": D("2.7"),
    "BE": D("2.7"), "AT": D("2.7"), "PL": D("2.7"), "SE": D("2.7"), "IE": D("2.7"),
    "GB": D("2"), "US": D("3.4"), "CA": D("5"), "AU": D("5"), "JP": D("0"),
    "AE": D("5"), "SA": D("5"), "MX": D("10"), "BR": D("16"),
}  # fmt: skip
DUTY_DEFAULT = D("5")

# Freight per chargeable kg from South China (USD), and the minimum charge per shipment.
FREIGHT_PER_KG_USD: dict[str, D] = {"sea": D("0.80"), "air": D("4.50"), "express": D("7.00")}
FREIGHT_MIN_USD: dict[str, D] = {"sea": D("120"), "air": D("80"), "express": D("25")}

# Last mile from the port/airport to the buyer's door, per kg (USD), for DDP.
LAST_MILE_PER_KG_USD: dict[str, D] = {
    "US": D("0.35"), "GB": D("0.30"), "DE": D("0.25"), "FR": D("0.28"), "ES": D("0.28"),
    "IT": D("0.30"), "NL": D("0.25"),
}  # fmt: skip
LAST_MILE_DEFAULT_USD = D("0.40")

# Ports and cities buyers name, and the country they are in.
PORTS: dict[str, str] = {
    "hamburg": "DE", "bremerhaven": "DE", "frankfurt": "DE", "munich": "DE", "münchen": "DE",
    "rotterdam": "NL", "amsterdam": "NL", "antwerp": "BE", "antwerpen": "BE", "anvers": "BE",
    "valencia": "ES", "barcelona": "ES", "algeciras": "ES", "madrid": "ES",
    "le havre": "FR", "marseille": "FR", "paris": "FR", "lyon": "FR",
    "felixstowe": "GB", "southampton": "GB", "london": "GB",
    "los angeles": "US", "long beach": "US", "new york": "US", "savannah": "US",
    "genoa": "IT", "genova": "IT", "milan": "IT", "gdansk": "PL", "danzig": "PL",
    "jebel ali": "AE", "dubai": "AE", "sydney": "AU", "melbourne": "AU", "toronto": "CA",
    "vancouver": "CA", "tokyo": "JP", "yokohama": "JP",
}  # fmt: skip

COUNTRIES: dict[str, str] = {
    "germany": "DE", "deutschland": "DE", "alemania": "DE", "allemagne": "DE",
    "france": "FR", "frankreich": "FR", "francia": "FR",
    "spain": "ES", "spanien": "ES", "españa": "ES", "espagne": "ES",
    "italy": "IT", "italien": "IT", "italia": "IT", "italie": "IT",
    "netherlands": "NL", "niederlande": "NL", "países bajos": "NL", "pays-bas": "NL",
    "belgium": "BE", "belgien": "BE", "bélgica": "BE", "belgique": "BE",
    "austria": "AT", "österreich": "AT", "autriche": "AT",
    "poland": "PL", "polen": "PL", "polonia": "PL", "pologne": "PL",
    "united kingdom": "GB", "uk": "GB", "england": "GB", "großbritannien": "GB",
    "reino unido": "GB", "royaume-uni": "GB",
    "united states": "US", "usa": "US", "u.s.": "US", "vereinigte staaten": "US",
    "estados unidos": "US", "états-unis": "US", "etats-unis": "US",
    "canada": "CA", "kanada": "CA", "australia": "AU", "australien": "AU", "australie": "AU",
    "japan": "JP", "japón": "JP", "japon": "JP", "mexico": "MX", "méxico": "MX",
    "mexiko": "MX", "mexique": "MX", "sweden": "SE", "schweden": "SE", "suecia": "SE",
    "suède": "SE", "ireland": "IE", "irland": "IE", "irlanda": "IE", "irlande": "IE",
    "uae": "AE", "united arab emirates": "AE", "saudi arabia": "SA",
}  # fmt: skip
