"""The demo catalogues: Voltora's ~60 consumer-electronics SKUs and Hearthly's few homeware ones.

A family is one model in several colours (and, for cables, lengths); each variant is a SKU.
Costs are ex-works CNY, prices are the US list price the other marketplaces derive from.
"""

# Marketplace copy uses typographic en dashes and multiplication signs on purpose.

from __future__ import annotations

from dataclasses import dataclass, field

COLORS = {
    # code: (en-US, en-GB, de, zh)
    "BK": ("Black", "Black", "Schwarz", "黑色"),
    "WH": ("White", "White", "Weiß", "白色"),
    "BL": ("Blue", "Blue", "Blau", "蓝色"),
    "GY": ("Space Gray", "Space Grey", "Spacegrau", "深空灰"),
    "PK": ("Pink", "Pink", "Rosa", "粉色"),
    "GN": ("Green", "Green", "Grün", "绿色"),
    "PU": ("Purple", "Purple", "Lila", "紫色"),
    "SL": ("Silver", "Silver", "Silber", "银色"),
}

HS_CODES = {
    "Power banks": "8507.60",  # lithium-ion accumulators
    "Chargers": "8504.40",  # static converters
    "Cables": "8544.42",  # insulated conductors with connectors, <= 1 000 V
    "Audio": "8518.30",  # headphones and earphones
}


@dataclass(frozen=True)
class Family:
    kind: str  # powerbank | charger | wireless | cable | audio: selects the listing copy
    stem: str
    line: str  # model line printed in titles
    zh: str
    category: str
    colors: tuple[str, ...]
    cost_cny: str
    price_usd: str
    weight_g: int
    dims_mm: tuple[int, int, int]
    specs: dict = field(default_factory=dict)
    lengths_m: tuple[float, ...] = ()  # cables only: one SKU per length


def _pb(stem, line, zh, colors, cost, price, weight, dims, **specs) -> Family:
    specs.setdefault("material", "PC + ABS fire-retardant shell")
    return Family(
        "powerbank", stem, line, zh, "Power banks", colors, cost, price, weight, dims, specs
    )


def _ch(kind, stem, line, zh, colors, cost, price, weight, dims, **specs) -> Family:
    specs.setdefault("material", "PC fire-retardant shell")
    return Family(kind, stem, line, zh, "Chargers", colors, cost, price, weight, dims, specs)


def _cb(stem, line, zh, colors, lengths, cost, price, weight, dims, **specs) -> Family:
    specs.setdefault("material", "braided nylon, aluminum connector housings")
    return Family(
        "cable", stem, line, zh, "Cables", colors, cost, price, weight, dims, specs, lengths
    )


def _au(stem, line, zh, colors, cost, price, weight, dims, **specs) -> Family:
    specs.setdefault("material", "ABS + silicone")
    return Family("audio", stem, line, zh, "Audio", colors, cost, price, weight, dims, specs)


VOLTORA_FAMILIES: list[Family] = [
    _pb("VT-PB-5K", "VoltPack Slim 5K", "超薄充电宝 5000毫安 12W", ("BK", "WH"), "24.00", "15.99",
        118, (99, 63, 13), capacity_mAh=5000, power_w=12, ports=[(1, "USB-C"), (1, "USB-A")]),
    _pb("VT-PB-10K", "VoltPack 10K", "充电宝 10000毫安 22.5W快充", ("BK", "WH", "BL"), "38.50",
        "24.99", 212, (105, 65, 25), capacity_mAh=10000, power_w=22.5,
        ports=[(1, "USB-C"), (2, "USB-A")], display=True),
    _pb("VT-PB-10KM", "MagPack 10K", "磁吸无线充电宝 10000毫安 15W", ("BK", "WH", "PK"), "62.00",
        "35.99", 228, (106, 69, 17), capacity_mAh=10000, power_w=20, wireless_w=15,
        ports=[(1, "USB-C")], magnetic=True),
    _pb("VT-PB-20K", "VoltPack Pro 20K", "笔记本充电宝 20000毫安 65W", ("BK", "GY"), "95.00",
        "45.99", 412, (155, 72, 27), capacity_mAh=20000, power_w=65,
        ports=[(2, "USB-C"), (1, "USB-A")], display=True),
    _pb("VT-PB-27K", "VoltPack Max 27K", "大容量笔记本充电宝 27000毫安 140W", ("BK",), "210.00",
        "89.99", 598, (158, 56, 49), capacity_mAh=27000, power_w=140,
        ports=[(2, "USB-C"), (1, "USB-A")], display=True),
    _pb("VT-PB-MINI", "VoltPack Mini", "自带插头迷你充电宝 5000毫安", ("BK", "WH", "PU"), "28.00",
        "19.99", 104, (83, 38, 26), capacity_mAh=5000, power_w=20, ports=[(1, "USB-C")]),
    _pb("VT-PB-SOLAR", "SunPack 20K", "太阳能户外充电宝 20000毫安", ("GN",), "70.00", "32.99", 455,
        (160, 82, 27), capacity_mAh=20000, power_w=22.5, ports=[(1, "USB-C"), (2, "USB-A")],
        material="rubberised PC shell, IP65"),
    _pb("VT-PB-5KM", "MagPack Slim 5K", "超薄磁吸充电宝 5000毫安", ("BK", "WH", "PU", "GN"),
        "41.00", "25.99", 126, (97, 66, 11), capacity_mAh=5000, power_w=20, wireless_w=7.5,
        ports=[(1, "USB-C")], magnetic=True),
    _ch("charger", "VT-CH-GAN30", "NanoGaN 30", "氮化镓充电器 30W 单口", ("WH", "BK"), "22.00",
        "19.99", 52, (35, 33, 31), power_w=30, ports=[(1, "USB-C")], style="wall"),
    _ch("charger", "VT-CH-GAN45", "NanoGaN 45", "氮化镓充电器 45W 双口", ("WH", "BK"), "30.00",
        "25.99", 76, (40, 36, 31), power_w=45, ports=[(2, "USB-C")], style="wall"),
    _ch("charger", "VT-CH-GAN65", "NanoGaN 65", "氮化镓充电器 65W 三口", ("WH", "BK"), "48.00",
        "39.99", 112, (52, 43, 31), power_w=65, ports=[(2, "USB-C"), (1, "USB-A")],
        style="wall"),
    _ch("charger", "VT-CH-GAN100", "NanoGaN 100", "氮化镓充电器 100W 四口", ("BK",), "85.00",
        "59.99", 198, (66, 66, 33), power_w=100, ports=[(3, "USB-C"), (1, "USB-A")],
        style="wall"),
    _ch("charger", "VT-CH-GAN140", "NanoGaN 140", "氮化镓充电器 140W PD3.1", ("BK",), "120.00",
        "79.99", 265, (75, 70, 31), power_w=140, ports=[(3, "USB-C"), (1, "USB-A")],
        style="wall"),
    _ch("wireless", "VT-WC-15", "AirPad 15", "无线充电板 15W", ("BK", "WH"), "18.00", "15.99", 86,
        (100, 100, 9), power_w=15, style="pad", material="aluminum frame, silicone top"),
    _ch("wireless", "VT-WC-3IN1", "AirDock Trio", "三合一无线充电支架", ("BK", "WH"), "55.00",
        "39.99", 320, (160, 95, 150), power_w=15, style="stand"),
    _ch("wireless", "VT-WC-MAG", "DriveMag", "磁吸无线车载支架 15W", ("BK",), "45.00", "32.99",
        145, (70, 70, 60), power_w=15, style="car"),
    _ch("charger", "VT-CC-48", "DrivePlug 48", "车载充电器 48W 双USB-C", ("BK",), "16.00",
        "14.99", 28, (57, 26, 26), power_w=48, ports=[(2, "USB-C")], style="car"),
    _ch("charger", "VT-CC-100", "DrivePlug 100", "车载充电器 100W", ("BK",), "32.00", "25.99", 42,
        (62, 28, 28), power_w=100, ports=[(2, "USB-C"), (1, "USB-A")], style="car"),
    _ch("charger", "VT-DS-200", "DeskHub 200", "桌面充电站 200W 六口", ("GY",), "160.00",
        "109.99", 560, (105, 105, 38), power_w=200, ports=[(4, "USB-C"), (2, "USB-A")],
        style="desk"),
    _cb("VT-CB-CC60", "FlexLine 60W", "USB-C 对 USB-C 编织快充线 60W", ("BK", "WH", "GY"),
        (1.0, 2.0), "6.50", "8.99", 38, (120, 80, 18), power_w=60,
        connector="USB-C to USB-C", data="USB 2.0, 480 Mbps"),
    _cb("VT-CB-CC240", "FlexLine 240W", "USB-C 240W 编织快充线 带E-Marker", ("BK",), (1.0, 2.0),
        "14.00", "15.99", 55, (120, 80, 20), power_w=240, connector="USB-C to USB-C",
        data="USB 2.0, 480 Mbps"),
    _cb("VT-CB-CL", "FlexLine Lightning", "MFi认证 USB-C 对 Lightning 数据线", ("WH",),
        (1.0, 2.0), "12.00", "13.99", 36, (120, 80, 18), power_w=27,
        connector="USB-C to Lightning", data="USB 2.0, 480 Mbps", material="TPE"),
    _cb("VT-CB-AC3", "FlexLine USB-A", "USB-A 对 USB-C 数据线 三条装", ("BK",), (1.0,), "9.80",
        "11.99", 96, (140, 90, 30), power_w=15, connector="USB-A to USB-C",
        data="USB 2.0, 480 Mbps", pack=3),
    _cb("VT-CB-3IN1", "FlexLine 3-in-1", "三合一充电线 USB-C/Lightning/Micro", ("BK",), (1.2,),
        "7.50", "9.99", 45, (120, 80, 20), power_w=18,
        connector="3-in-1 (USB-C, Lightning, Micro-USB)", data="charging only"),
    _cb("VT-CB-USB4", "FlexLine USB4", "USB4 40Gbps 全功能数据线 0.8米", ("BK",), (0.8,), "38.00",
        "29.99", 48, (120, 80, 20), power_w=240, connector="USB-C to USB-C",
        data="USB4, 40 Gbps, 8K video"),
    _cb("VT-CB-RA", "FlexLine 90°", "弯头 USB-C 快充线 100W", ("BK",), (2.0,), "9.00", "10.99", 52,
        (120, 80, 20), power_w=100, connector="USB-C to USB-C (right-angle)",
        data="USB 2.0, 480 Mbps"),
    _cb("VT-CB-COIL", "FlexLine Coil", "弹簧伸缩车载 USB-C 线", ("BK",), (1.5,), "11.00", "12.99",
        60, (110, 80, 25), power_w=60, connector="USB-C to USB-C (coiled)",
        data="USB 2.0, 480 Mbps", material="TPU coil, aluminum housings"),
    _au("VT-EB-A1", "SoundBuds A1", "主动降噪真无线蓝牙耳机", ("BK", "WH"), "68.00", "49.99", 52,
        (62, 48, 27), style="tws", anc=True, hours=36, ip=5, driver_mm=11),
    _au("VT-EB-A2", "SoundBuds Sport", "开放式运动蓝牙耳机 耳挂式", ("BK",), "75.00", "59.99", 68,
        (80, 60, 32), style="open", hours=40, ip=5, driver_mm=16),
    _au("VT-EB-LITE", "SoundBuds Lite", "入门真无线蓝牙耳机", ("BK", "WH", "BL"), "32.00",
        "22.99", 45, (58, 45, 25), style="tws", anc=False, hours=30, ip=4, driver_mm=10),
    _au("VT-HP-H1", "SoundDome H1", "头戴式主动降噪蓝牙耳机", ("BK", "SL"), "120.00", "79.99",
        265, (190, 165, 80), style="overear", anc=True, hours=60, driver_mm=40,
        material="protein-leather ear cushions, aluminum sliders"),
    _au("VT-HP-KIDS", "SoundBuds Kids", "儿童有线耳机 85分贝限音", ("BL", "PK"), "22.00", "17.99",
        140, (170, 150, 60), style="kids", driver_mm=40),
    _au("VT-EB-BONE", "SoundBone", "骨传导运动蓝牙耳机", ("GY",), "85.00", "69.99", 29,
        (110, 95, 40), style="bone", hours=10, ip=67, material="titanium frame, silicone"),
]  # fmt: skip


@dataclass(frozen=True)
class Variant:
    family: Family
    color: str
    length_m: float | None

    @property
    def sku(self) -> str:
        length = f"-{self.length_m:g}M" if self.length_m else ""
        return f"{self.family.stem}{length}-{self.color}"

    def specs(self) -> dict:
        return {**self.family.specs, "length_m": self.length_m}


def voltora_variants() -> list[Variant]:
    return [
        Variant(fam, color, length)
        for fam in VOLTORA_FAMILIES
        for length in (fam.lengths_m or (None,))
        for color in fam.colors
    ]


# Hearthly (demo-home): sku, internal name, English title, category, HS code, cost CNY, USD price,
# weight g, dimensions mm, attributes.
HEARTHLY_PRODUCTS: list[tuple] = [
    ("HH-SPAT-5", "硅胶锅铲五件套", "Hearthly Silicone Spatula Set, 5 Pieces, Heat Resistant to "
     "230 °C, Non-Scratch Kitchen Utensils – Sage Green", "Kitchen", "3924.10", "21.00", "16.99",
     310, (300, 90, 40), {"material": "food-grade silicone, stainless-steel core", "pieces": 5}),
    ("HH-BAMB-ORG", "竹制抽屉收纳盒 可伸缩", "Hearthly Expandable Bamboo Drawer Organizer, "
     "Cutlery Tray with 7 Compartments", "Storage", "4421.91", "38.00", "29.99", 1450,
     (430, 330, 55), {"material": "moso bamboo", "compartments": 7}),
    ("HH-GLASS-10", "玻璃保鲜盒十件套", "Hearthly Glass Food Storage Containers with Lids, "
     "10 Piece Set, Oven and Dishwasher Safe", "Storage", "7013.49", "52.00", "39.99", 3900,
     (330, 230, 180), {"material": "borosilicate glass, PP lids", "pieces": 10}),
    ("HH-COLANDER", "可折叠硅胶沥水篮", "Hearthly Collapsible Silicone Colander, Over-the-Sink "
     "Strainer with Extendable Handles", "Kitchen", "3924.10", "15.00", "14.99", 420,
     (480, 240, 80), {"material": "silicone, PP frame", "capacity_l": 4}),
    ("HH-GARLIC", "不锈钢压蒜器", "Hearthly Stainless Steel Garlic Press with Cleaning Brush",
     "Kitchen", "8205.51", "12.00", "12.99", 230, (190, 60, 40),
     {"material": "304 stainless steel"}),
]  # fmt: skip
