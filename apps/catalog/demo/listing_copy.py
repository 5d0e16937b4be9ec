"""Listing copy for the demo catalogue: Amazon US (en-US), Amazon DE (de-DE), eBay UK (en-GB).

Real marketplace copy is templated like this by most sellers' ERPs, which is what makes the
AI rewrite and the linting of later issues worth having. German copy follows German number
formatting (10.000 mAh, 22,5 W) and German capitalisation.
"""

# Marketplace copy uses typographic en dashes and multiplication signs on purpose.

from __future__ import annotations

from dataclasses import dataclass

from apps.catalog.demo.products import COLORS, Variant

EBAY_TITLE_MAX = 80
_GB_SPELLING = {"Gray": "Grey", "gray": "grey", "aluminum": "aluminium", "Aluminum": "Aluminium",
                "color": "colour", "Color": "Colour", "center": "centre"}  # fmt: skip


@dataclass(frozen=True)
class Copy:
    title: str
    bullets: list[str]
    description: str
    search_terms: str


def num(value: float, lang: str) -> str:
    """10000 → '10,000' (en) or '10.000' (de); 22.5 → '22.5' or '22,5'."""
    text = f"{value:,.1f}".rstrip("0").rstrip(".") if value % 1 else f"{int(value):,}"
    if lang.startswith("de"):
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def _ports(ports: list[tuple[int, str]], lang: str) -> str:
    parts = [f"{count}× {kind}" for count, kind in ports]
    joiner = " und " if lang.startswith("de") else " and "
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + joiner + parts[-1]


def listing_copy(variant: Variant, lang: str) -> Copy:
    english = _COPY[variant.family.kind](variant, "en-US" if lang == "en-GB" else lang)
    if lang != "en-GB":
        return english
    # eBay UK: British spelling, and a title within eBay's 80 characters.
    return Copy(
        title=_ebay_title(_british(english.title)),
        bullets=[_british(b) for b in english.bullets],
        description=_british(english.description),
        search_terms="",
    )


def _british(text: str) -> str:
    for us, gb in _GB_SPELLING.items():
        text = text.replace(us, gb)
    return text


def _ebay_title(title: str) -> str:
    """Keep the leading, most specific words; eBay rejects titles over 80 characters."""
    title = title.replace(" – ", " ").replace(",", "")
    words, out = title.split(), ""
    for word in words:
        if len(out) + len(word) + 1 > EBAY_TITLE_MAX:
            break
        out = f"{out} {word}".strip()
    return out


def _color(variant: Variant, lang: str) -> str:
    en, _gb, de, _zh = COLORS[variant.color]
    return de if lang.startswith("de") else en


def _box(variant: Variant, lang: str, items_en: str, items_de: str) -> str:
    line = variant.family.line
    if lang.startswith("de"):
        return (
            f"LIEFERUMFANG: Voltora {line}, {items_de}Bedienungsanleitung, "
            "18 Monate Herstellergarantie und ein schnell erreichbarer Kundenservice."
        )
    return (
        f"WHAT'S IN THE BOX: Voltora {line}, {items_en}user manual, 18-month warranty and "
        "friendly support from our team."
    )


def _powerbank(v: Variant, lang: str) -> Copy:
    s, line, color = v.specs(), v.family.line, _color(v, lang)
    cap, watts, de = num(s["capacity_mAh"], lang), num(s["power_w"], lang), lang.startswith("de")
    # 3.7 V cells into a 3,300 mAh phone at about 65% conversion efficiency.
    charges = round(s["capacity_mAh"] * 0.65 / 3300, 1)
    single_port = sum(count for count, _ in s["ports"]) == 1 and not s.get("wireless_w")
    laptop = s["power_w"] >= 60
    wireless = s.get("wireless_w")
    if de:
        title = (
            f"Voltora {line} Powerbank {cap} mAh, {watts} W USB-C PD Schnellladen, Externer "
            f"Akku{' mit kabellosem Magnetladen' if wireless else ''}"
            f"{', LED-Anzeige' if s.get('display') else ''} für "
            f"{'MacBook, ' if laptop else ''}iPhone 16/15, Samsung Galaxy, iPad – {color}"
        )
        bullets = [
            f"SCHNELLES LADEN MIT {watts} W: USB-C Power Delivery "
            + (
                "lädt ein MacBook Air und ein Smartphone gleichzeitig."
                if laptop
                else "lädt ein iPhone 15 in etwa 30 Minuten von 0 auf 50 %."
            ),
            f"{cap} mAh FÜR UNTERWEGS: "
            + (
                f"genug für etwa {num(charges, lang)} volle Smartphone-Ladungen"
                if charges >= 1.5
                else "genug für eine volle Smartphone-Ladung"
            )
            + f"; wiegt nur {v.family.weight_g} g.",
            "EIN ANSCHLUSS FÜR ALLES: 1× USB-C lädt die Powerbank und Ihre Geräte."
            if single_port
            else f"MEHRERE GERÄTE GLEICHZEITIG: {_ports(s['ports'], lang)}"
            + (f" sowie kabelloses Magnetladen mit {num(wireless, lang)} W." if wireless else "."),
            "SICHER KONSTRUIERT: Temperaturüberwachung, Überstrom- und Kurzschlussschutz; Zellen "
            "nach IEC 62133 zertifiziert, unter 100 Wh und damit im Handgepäck erlaubt.",
            _box(v, lang, "", "60 cm USB-C-Kabel, "),
        ]
        description = (
            f"Die Voltora {line} ist die Powerbank für lange Tage: {cap} mAh Kapazität, "
            f"{watts} W Ausgangsleistung und ein schwer entflammbares Gehäuse. Sie lädt "
            "sich selbst über USB-C in wenigen Stunden wieder auf und hält ihre Ladung "
            "monatelang."
        )
        terms = "powerbank externer akku handy ladegerät usb c schnellladen reise akkupack"
    else:
        title = (
            f"Voltora {line} Power Bank {cap} mAh, {watts}W USB-C PD Fast Charging Portable "
            f"Charger{' with Magnetic Wireless Charging' if wireless else ''}"
            f"{', LED Display' if s.get('display') else ''} for "
            f"{'MacBook, ' if laptop else ''}iPhone 16/15, Samsung Galaxy, iPad – {color}"
        )
        bullets = [
            f"FAST {watts}W CHARGING: USB-C Power Delivery "
            + (
                "charges a MacBook Air and a phone at the same time."
                if laptop
                else "takes an iPhone 15 from 0 to 50% in about 30 minutes."
            ),
            f"{cap} mAh IN YOUR POCKET: "
            + (
                f"enough for about {num(charges, lang)} full smartphone charges"
                if charges >= 1.5
                else "enough for one full smartphone charge"
            )
            + f"; weighs only {v.family.weight_g} g.",
            "ONE PORT FOR EVERYTHING: 1× USB-C charges the power bank and your devices."
            if single_port
            else f"SEVERAL DEVICES AT ONCE: {_ports(s['ports'], lang)}"
            + (f" plus {num(wireless, lang)}W magnetic wireless charging." if wireless else "."),
            "SAFE BY DESIGN: temperature monitoring, over-current and short-circuit protection; "
            "cells certified to IEC 62133 and under 100 Wh, so it is allowed in carry-on bags.",
            _box(v, lang, "60 cm USB-C cable, ", ""),
        ]
        description = (
            f"The Voltora {line} is the power bank for long days: {cap} mAh of "
            f"capacity, {watts}W of output and a {s['material']}. It recharges itself "
            "over USB-C in a few hours and holds its charge for months."
        )
        terms = "portable charger battery pack phone charger usb c fast charging travel powerbank"
    return Copy(title, bullets, description, terms)


def _charger(v: Variant, lang: str) -> Copy:
    s, line, color = v.specs(), v.family.line, _color(v, lang)
    watts, style, de = num(s["power_w"], lang), s["style"], lang.startswith("de")
    ports, n = _ports(s["ports"], lang), sum(count for count, _ in s["ports"])
    big = s["power_w"] >= 60
    if de:
        title = {
            "wall": f"Voltora {line} {watts} W USB-C Ladegerät, {n}-Port GaN Schnellladegerät mit "
            "wechselbaren EU/UK/US-Steckern, PD 3.0 PPS, für MacBook, iPhone 16, "
            f"Galaxy S24 – {color}",
            "car": f"Voltora {line} {watts} W Kfz-Ladegerät, {n}-Port USB-C PD "
            "Zigarettenanzünder-Adapter für 12/24 V, für iPhone 16, Galaxy S24, iPad – "
            f"{color}",
            "desk": f"Voltora {line} {watts} W Ladestation, {n}-Port GaN Tischladegerät mit 1,5 m "
            f"Netzkabel, für MacBook, iPad, iPhone – {color}",
        }[style]
        bullets = [
            f"{watts} W AUS EINER STECKDOSE: "
            + (
                "genug, um ein 14-Zoll-MacBook Pro mit voller Geschwindigkeit zu laden."
                if big
                else "lädt ein iPhone 16 oder ein MacBook Air schnell auf."
            ),
            {
                "wall": "KLEIN DANK GaN: Galliumnitrid macht es rund 40 % kleiner als ein "
                "herkömmliches Netzteil.",
                "car": "PASST IN JEDES AUTO: für 12-V- und 24-V-Buchsen, flache Bauform mit "
                "dezentem Leuchtring.",
                "desk": "ORDNUNG AUF DEM SCHREIBTISCH: ein Netzkabel statt sechs Netzteile.",
            }[style],
            f"EIN ANSCHLUSS, VOLLE LEISTUNG: die vollen {watts} W für ein Gerät."
            if n == 1
            else f"INTELLIGENTE LEISTUNGSVERTEILUNG: {ports}; die Leistung wird automatisch auf "
            "die angeschlossenen Geräte aufgeteilt.",
            "GESCHÜTZT: Überspannungs-, Überstrom- und Temperaturschutz; CE- und UKCA-"
            "Kennzeichnung.",
            _box(v, lang, "", "drei Steckeraufsätze (EU, UK, US), " if style == "wall" else ""),
        ]
        description = (
            f"Das Voltora {line} liefert bis zu {watts} W über "
            f"{'einen Anschluss' if n == 1 else f'{n} Anschlüsse'} und "
            "erkennt jedes Gerät, um es mit der passenden Spannung zu laden."
        )
        terms = "usb c ladegerät netzteil schnellladegerät gan ladestecker iphone macbook pd"
    else:
        title = {
            "wall": f"Voltora {line} {watts}W USB-C Charger, {n}-Port GaN Fast Wall Charger with "
            "Interchangeable US/EU/UK Plugs, PD 3.0 PPS, for MacBook, iPhone 16, "
            f"Galaxy S24 – {color}",
            "car": f"Voltora {line} {watts}W Car Charger, {n}-Port USB-C PD Fast Car Adapter for "
            f"12/24V Sockets, for iPhone 16, Galaxy S24, iPad – {color}",
            "desk": f"Voltora {line} {watts}W Charging Station, {n}-Port GaN Desktop Charger with "
            f"1.5 m Power Cord, for MacBook, iPad, iPhone – {color}",
        }[style]
        bullets = [
            f"{watts}W FROM ONE PLUG: "
            + (
                "enough for a 14-inch MacBook Pro at full speed."
                if big
                else "fast-charges an iPhone 16 or a MacBook Air."
            ),
            {
                "wall": "SMALL THANKS TO GaN: gallium-nitride parts make it about 40% smaller than "
                "a classic charger.",
                "car": "FITS ANY CAR: works in 12 V and 24 V sockets, flush design with a soft "
                "ring light.",
                "desk": "A TIDY DESK: one power cord instead of six adapters.",
            }[style],
            f"ONE PORT, FULL POWER: all {watts}W go to a single device."
            if n == 1
            else f"SMART POWER SHARING: {ports}; power is split automatically between devices.",
            "PROTECTED: over-voltage, over-current and temperature protection; FCC, CE and UKCA "
            "marked.",
            _box(v, lang, "three plug heads (US, EU, UK), " if style == "wall" else "", ""),
        ]
        description = (
            f"The Voltora {line} delivers up to {watts}W over "
            f"{'one port' if n == 1 else f'{n} ports'} and detects "
            "each device to charge it at the right voltage."
        )
        terms = "usb c charger wall charger gan fast charger power adapter iphone macbook pd"
    return Copy(title, bullets, description, terms)


def _wireless(v: Variant, lang: str) -> Copy:
    s, line, color = v.specs(), v.family.line, _color(v, lang)
    watts, style, de = num(s["power_w"], lang), s["style"], lang.startswith("de")
    if de:
        title = {
            "pad": f"Voltora {line} {watts} W Kabelloses Ladegerät, Qi2 Induktive Ladestation für "
            f"iPhone 16/15, Galaxy S24, AirPods – {color}",
            "stand": f"Voltora {line} 3-in-1 Kabellose Ladestation, {watts} W für iPhone, Apple "
            f"Watch und AirPods, faltbar – {color}",
            "car": f"Voltora {line} Magnetische Kfz-Handyhalterung mit Ladefunktion, {watts} W "
            f"Qi2 Lüftungshalterung für iPhone 16/15 – {color}",
        }[style]
        bullets = [
            f"QI2-ZERTIFIZIERT: bis zu {watts} W kabellos, magnetisch exakt ausgerichtet.",
            "DURCH DIE HÜLLE: lädt durch Schutzhüllen bis 5 mm Stärke.",
            "FREMDKÖRPERERKENNUNG: stoppt den Ladevorgang, wenn Schlüssel oder Münzen aufliegen.",
            "RUHIG IN DER NACHT: dezente Statusleuchte, die nach 10 Sekunden abdunkelt; kein "
            "Lüfter.",
            _box(v, lang, "", "1 m USB-C-Kabel, "),
        ]
        description = (
            f"Mit dem Voltora {line} legen Sie Ihr Smartphone einfach ab – das Laden "
            "beginnt sofort, ohne Kabelsuche."
        )
        terms = "kabelloses ladegerät induktive ladestation qi2 magsafe iphone ladepad"
    else:
        title = {
            "pad": f"Voltora {line} {watts}W Wireless Charger Pad, Qi2 Fast Wireless Charging for "
            f"iPhone 16/15, Galaxy S24, AirPods – {color}",
            "stand": f"Voltora {line} 3-in-1 Wireless Charging Station, {watts}W for iPhone, Apple "
            f"Watch and AirPods, Foldable – {color}",
            "car": f"Voltora {line} Magnetic Wireless Car Charger Mount, {watts}W Qi2 Air-Vent "
            f"Phone Holder for iPhone 16/15 – {color}",
        }[style]
        bullets = [
            f"Qi2 CERTIFIED: up to {watts}W wireless, magnetically aligned every time.",
            "CASE FRIENDLY: charges through cases up to 5 mm thick.",
            "FOREIGN OBJECT DETECTION: stops charging when keys or coins are on the pad.",
            "QUIET AT NIGHT: a soft status light that dims after 10 seconds; no fan.",
            _box(v, lang, "1 m USB-C cable, ", ""),
        ]
        description = (
            f"Put your phone down on the Voltora {line} and it charges, no cable "
            "hunting at the end of the day."
        )
        terms = "wireless charger qi2 magsafe charging pad iphone charger stand"
    return Copy(title, bullets, description, terms)


def _cable(v: Variant, lang: str) -> Copy:
    s, line, color = v.specs(), v.family.line, _color(v, lang)
    watts, length, de = num(s["power_w"], lang), num(v.length_m, lang), lang.startswith("de")
    pack = s.get("pack")
    connector = s["connector"]
    if de:
        connector = (
            connector.replace(" to ", " auf ")
            .replace("right-angle", "gewinkelt")
            .replace("coiled", "Spiralkabel")
        )
        data = s["data"].replace("charging only", "nur Laden")
        title = (
            f"Voltora {line} {connector} Kabel {length} m{f', {pack} Stück' if pack else ''}, "
            f"{watts} W Schnellladekabel, Nylon geflochten, {data} – {color}"
        )
        bullets = [
            f"{watts} W SCHNELLLADEN: "
            + (
                "E-Marker-Chip für Laptops mit bis zu 240 W."
                if s["power_w"] >= 100
                else "lädt Smartphones und Tablets mit voller Geschwindigkeit."
            ),
            f"DATEN: {data}.",
            "GEBAUT ZUM BIEGEN: 25.000 Biegetests, Nylongeflecht und verstärkte Stecker.",
            f"KOMPATIBEL: {connector}, für Smartphones, Tablets und Laptops.",
            _box(v, lang, "", "Klettkabelbinder, "),
        ]
        description = (
            f"Das Voltora {line} ist {length} m lang und übersteht den Alltag in Rucksack und Auto."
        )
        terms = "usb c kabel ladekabel schnellladekabel geflochten datenkabel"
    else:
        title = (
            f"Voltora {line} {connector} Cable {length} m{f', {pack}-Pack' if pack else ''}, "
            f"{watts}W Fast Charging Braided Cord, {s['data']} – {color}"
        )
        bullets = [
            f"{watts}W FAST CHARGING: "
            + (
                "e-marker chip for laptops that draw up to 240W."
                if s["power_w"] >= 100
                else "charges phones and tablets at full speed."
            ),
            f"DATA: {s['data']}.",
            "BUILT TO BEND: tested to 25,000 bends, braided nylon and reinforced connectors.",
            f"WORKS WITH: {connector} phones, tablets and laptops.",
            _box(v, lang, "hook-and-loop cable tie, ", ""),
        ]
        description = (
            f"The Voltora {line} is {length} m long and survives daily life in backpacks and cars."
        )
        terms = "usb c cable charging cable fast charging braided cord data cable"
    return Copy(title, bullets, description, terms)


def _audio(v: Variant, lang: str) -> Copy:
    s, line, color = v.specs(), v.family.line, _color(v, lang)
    style, hours, de = s["style"], s.get("hours"), lang.startswith("de")
    anc = s.get("anc")
    if de:
        title = {
            "tws": f"Voltora {line} Bluetooth Kopfhörer In-Ear"
            f"{' mit aktiver Geräuschunterdrückung' if anc else ''}, Bluetooth 5.3, "
            f"{hours} Std. Spielzeit, IPX{s.get('ip')} wasserdicht, USB-C – {color}",
            "open": f"Voltora {line} Open-Ear Sportkopfhörer, Bluetooth 5.3 mit Ohrbügeln, "
            f"{hours} Std. Spielzeit, IPX{s.get('ip')} – {color}",
            "overear": f"Voltora {line} Kopfhörer mit aktiver Geräuschunterdrückung, Over-Ear "
            f"Bluetooth 5.3, {hours} Std. Spielzeit, Hi-Res Audio, faltbar – {color}",
            "kids": f"Voltora {line} Kinderkopfhörer mit Lautstärkebegrenzung auf 85 dB, "
            f"kabelgebunden On-Ear mit 3,5-mm-Klinke, für Schule und Tablet – {color}",
            "bone": f"Voltora {line} Knochenschall-Kopfhörer, Open-Ear Bluetooth 5.3, {hours} "
            f"Std. Spielzeit, IP67 zum Laufen und Radfahren – {color}",
        }[style]
        bullets = [
            f"KLANG: {s['driver_mm']}-mm-Treiber mit kräftigem Bass und klaren Höhen."
            if "driver_mm" in s
            else "KLANG: Knochenschall-Wandler lassen die Ohren frei für den Verkehr.",
            (
                f"AKKU: bis zu {hours} Stunden Musik; 10 Minuten Laden für 2 Stunden Wiedergabe."
                if hours
                else "KEIN AKKU NÖTIG: einfach einstecken, funktioniert mit jedem 3,5-mm-Anschluss."
            ),
            (
                "RUHE: aktive Geräuschunterdrückung bis 40 dB und Transparenzmodus."
                if anc
                else "KOMFORT: leicht und druckarm, auch bei stundenlangem Tragen."
            ),
            "VERBINDUNG: stabiles Bluetooth 5.3, Multipoint für zwei Geräte gleichzeitig."
            if style != "kids"
            else "SICHER FÜR KINDEROHREN: auf 85 dB begrenzt, wie von Kinderärzten empfohlen.",
            _box(v, lang, "", "USB-C-Ladekabel, " if hours else ""),
        ]
        description = (
            f"Voltora {line}: guter Klang für jeden Tag, entwickelt in Shenzhen und "
            "abgestimmt auf Podcasts, Musik und Telefonate."
        )
        terms = "kopfhörer bluetooth in ear kabellos noise cancelling sport headset"
    else:
        title = {
            "tws": f"Voltora {line} Wireless Earbuds"
            f"{' with Active Noise Cancelling' if anc else ''}, Bluetooth 5.3 In-Ear Headphones, "
            f"{hours}H Playtime, IPX{s.get('ip')} Waterproof, USB-C – {color}",
            "open": f"Voltora {line} Open-Ear Sports Headphones, Bluetooth 5.3 Earbuds with Ear "
            f"Hooks, {hours}H Playtime, IPX{s.get('ip')} – {color}",
            "overear": f"Voltora {line} Active Noise Cancelling Headphones, Over-Ear Bluetooth "
            f"5.3, {hours}H Playtime, Hi-Res Audio, Foldable – {color}",
            "kids": f"Voltora {line} Kids Headphones, Volume Limited 85 dB, Wired On-Ear with "
            f"3.5 mm Jack, for School and Tablets – {color}",
            "bone": f"Voltora {line} Bone Conduction Headphones, Open-Ear Bluetooth 5.3, {hours}H "
            f"Playtime, IP67 for Running and Cycling – {color}",
        }[style]
        bullets = [
            f"SOUND: {s['driver_mm']} mm drivers with punchy bass and clear highs."
            if "driver_mm" in s
            else "SOUND: bone-conduction transducers keep your ears open to traffic.",
            (
                f"BATTERY: up to {hours} hours of music; 10 minutes of charging gives 2 hours."
                if hours
                else "NO BATTERY NEEDED: plug in and play with any 3.5 mm jack."
            ),
            (
                "QUIET: active noise cancelling down to 40 dB, plus a transparency mode."
                if anc
                else "COMFORT: light and low-pressure, even after hours of wear."
            ),
            "CONNECTION: stable Bluetooth 5.3 with multipoint for two devices at once."
            if style != "kids"
            else "SAFE FOR YOUNG EARS: limited to 85 dB, as paediatricians recommend.",
            _box(v, lang, "USB-C charging cable, " if hours else "", ""),
        ]
        description = (
            f"Voltora {line}: good sound for every day, designed in Shenzhen and tuned "
            "for podcasts, music and calls."
        )
        terms = "wireless earbuds bluetooth headphones noise cancelling sport earphones"
    return Copy(title, bullets, description, terms)


_COPY = {
    "powerbank": _powerbank,
    "charger": _charger,
    "wireless": _wireless,
    "cable": _cable,
    "audio": _audio,
}
