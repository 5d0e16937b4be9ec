"""Benchmark: offline facts from product photos (OCR, barcodes, colour) and background removal.

    .venv/bin/python bench/photo_facts.py [--photos 200] [--cutouts 100] [--side 1600]
                                          [--workers N]

Photos are made with Pillow (apps/catalog/photos/synthetic.py): boxes with a printed label and an
EAN-13 (each with its own GTIN and numbers), and products on a textured table. 20 distinct
photos of each kind are made before the clock starts and cycled (the readers cache nothing).
Work runs in a process pool of `--workers` (default: the CPU count), one Tesseract engine per
process, as a Celery worker's processes would. Prints one JSON object last.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._setup import django_setup

DISTINCT = 20
_PHOTOS: list = []
_SHOTS: list = []


def _gtin(i: int) -> str:
    from apps.catalog.photos.extract import gtin_check_digit

    body = f"400638{i:06d}"
    return body + str(gtin_check_digit(body))


def _init(side: int) -> None:
    django_setup()
    import cv2

    from apps.catalog.photos import synthetic

    cv2.setNumThreads(1)  # one image per process; the pool is the parallelism

    for i in range(DISTINCT):
        lines = (
            f"Brand: VOLTORA{i}",
            f"Model: PB-{1000 + i}",
            f"Power Bank {10000 + i * 500} mAh",
            f"Output {18 + i % 5} W",
            "Ports: 2x USB-C, USB-A",
            f"Size {140 + i} x 70 x 27 mm",
            "CE FCC RoHS",
        )
        _PHOTOS.append(synthetic.box_photo(lines, gtin=_gtin(i), side=side, seed=i))
        _SHOTS.append(synthetic.object_on_texture(side, seed=i))


def _facts(i: int) -> tuple[int, bool, float]:
    from apps.catalog.photos.extract import photo_facts

    cpu = time.process_time()
    result = photo_facts(_PHOTOS[i % DISTINCT], photo=f"p{i}")
    facts = {f["key"]: f["value"] for f in result["facts"]}
    ok = facts.get("gtin") == _gtin(i % DISTINCT)
    return len(result["facts"]), ok, time.process_time() - cpu


def _cut(i: int) -> tuple[float, float]:
    from apps.catalog.images.cutout import cutout, iou

    cpu = time.process_time()
    photo, truth = _SHOTS[i % DISTINCT]
    return iou(cutout(photo).mask, truth), time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=200)
    parser.add_argument("--cutouts", type=int, default=100)
    parser.add_argument("--side", type=int, default=1600)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    with ProcessPoolExecutor(args.workers, initializer=_init, initargs=(args.side,)) as pool:
        list(pool.map(_facts, range(args.workers)))  # warm: photos made, Tesseract loaded
        started = time.perf_counter()
        facts = list(pool.map(_facts, range(args.photos)))
        facts_s = time.perf_counter() - started
        started = time.perf_counter()
        ious = list(pool.map(_cut, range(args.cutouts)))
        cut_s = time.perf_counter() - started
    result = {
        "photos": args.photos,
        "side": args.side,
        "workers": args.workers,
        "facts_seconds": round(facts_s, 1),
        # CPU seconds the work itself took (all workers): what the wall time would be on
        # `workers` cores nobody else uses, divided by `workers`.
        "facts_cpu_seconds": round(sum(c for _n, _ok, c in facts), 1),
        "facts_per_photo": round(sum(n for n, _ok, _c in facts) / max(1, len(facts)), 1),
        "gtin_read_share": round(sum(ok for _n, ok, _c in facts) / max(1, len(facts)), 3),
        "cutouts": args.cutouts,
        "cutout_seconds": round(cut_s, 1),
        "cutout_cpu_seconds": round(sum(c for _i, c in ious), 1),
        "cutout_min_iou": round(min(i for i, _c in ious), 3) if ious else None,
        "facts_under_60s": facts_s < 60,
        "cutouts_under_60s": cut_s < 60,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
