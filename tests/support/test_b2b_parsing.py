"""Offline parsing of B2B inquiries in English, German, Spanish and French."""

from __future__ import annotations

from datetime import date

import pytest

from apps.support.b2b import parsing

TODAY = date(2026, 11, 30)
CASES = [
    (
        "Hello, we are a distributor in the UK. Please quote 5,000 pcs of KX-200 FOB Shenzhen, "
        "delivery to Felixstowe. Target price USD 7.20 per unit. We need the goods by "
        "2027-02-15. Custom packaging with our logo.",
        {"quantity": 5000, "destination_country": "GB", "destination_port": "Felixstowe",
         "incoterm": "FOB", "target_price": "7.2", "target_currency": "USD",
         "deadline": "2027-02-15"},
    ),
    (
        "Guten Tag, wir benötigen 1.200 Stück, CIF Hamburg. Unser Zielpreis liegt bei 9,80 € "
        "pro Stück. Lieferung bis 15.03.2027. Bitte mit Logo auf der Verpackung.",
        {"quantity": 1200, "destination_country": "DE", "destination_port": "Hamburg",
         "incoterm": "CIF", "target_price": "9.8", "target_currency": "EUR",
         "deadline": "2027-03-15"},
    ),
    (
        "Buenos días, somos mayoristas en España. Necesitamos una cotización de 2.500 unidades "
        "DDP Valencia, precio objetivo 8,50 EUR. Plazo: en 6 semanas. Logotipo personalizado.",
        {"quantity": 2500, "destination_country": "ES", "destination_port": "Valencia",
         "incoterm": "DDP", "target_price": "8.5", "target_currency": "EUR",
         "deadline": "2027-01-11"},
    ),
    (
        "Bonjour, merci de nous envoyer un devis pour 800 pièces livrées en France, EXW. "
        "Prix cible : 11,90 € l'unité. Livraison avant le 20 janvier 2027. Emballage "
        "personnalisé avec notre marque.",
        {"quantity": 800, "destination_country": "FR", "incoterm": "EXW",
         "target_price": "11.9", "target_currency": "EUR", "deadline": "2027-01-20"},
    ),
    (
        "Hi, wholesale inquiry: qty 3k units shipped to the United States, DDP, budget $6.",
        {"quantity": 3000, "destination_country": "US", "incoterm": "DDP",
         "target_price": "6", "target_currency": "USD"},
    ),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_sample_inquiries_are_parsed(text, expected):
    parsed = parsing.parse(text, today=TODAY).as_dict()
    assert parsed["method"] == "offline_rules"
    for key, value in expected.items():
        assert parsed[key] == value, (key, parsed)
    assert parsed["customisation"] or "Logo" not in text


def test_b2b_detection_keeps_ordinary_buyer_messages_out():
    assert parsing.looks_b2b(CASES[0][0]) and parsing.looks_b2b(CASES[1][0])
    assert not parsing.looks_b2b("Hello, where is my order? It has not arrived yet.")
    assert not parsing.looks_b2b("Hallo, ich möchte 2 Stück zurückschicken.")


@pytest.mark.parametrize(
    "text",
    ["", "x" * 50000, "9" * 5000 + " pcs", "target price € " + "1" * 400, "\x00\ufeff DDP 0 pcs"],
)
def test_bad_input_is_bounded_and_never_raises(text):
    parsed = parsing.parse(text, today=TODAY)
    assert parsed.quantity is None or 0 < parsed.quantity <= 10_000_000
    assert len(parsed.customisation) <= 500
