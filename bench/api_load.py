"""Benchmark: a list endpoint under load through gunicorn (targets: >= 300 requests/s, p99 under
150 ms, and >= 0.8 of a bare DRF ModelSerializer endpoint's requests/s on the same rows).

Seeds an organization with demo-like listings (product, store, marketplace; a title, five
bullets and a description each), starts gunicorn (gthread workers, keep-alive) on the bench
settings (`bench/_load_settings.py`: DEBUG off, plus the bench-only URL of the bare endpoint in
`bench/_load_urls.py`), and loads every page of `GET /api/v1/listings/?page_size=100` (the
cursor links, collected by one walk before the run) and `GET /bench/bare-listings/?page_size=100
&page=N` (the same rows and fields, page numbers) with a closed-loop
load generator on this machine: client processes, one keep-alive http.client connection each,
each sending its next request when the previous answer is read. The two endpoints alternate in
slices (A B A B …) so a change of the shared machine's load hits both alike. Prints per
endpoint requests/s and p50/p95/p99 latency, the ratio, the load average; the last line is the
JSON result.

    .venv/bin/python bench/api_load.py [--seconds 20] [--listings 2000] [--clients 4]
                                       [--workers 2] [--threads 4]
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from _setup import ROOT, django_setup

REAL = "/api/v1/listings/"
BARE = "/bench/bare-listings/"
SLUG = "bench-api-load"


def _seed(n: int) -> str:
    """The organization's listings (created once, reused) and a key without a tight limit."""
    from apps.accounts.models import ApiKey, Organization
    from apps.accounts.services import api_key_issue
    from apps.catalog.models import Listing, Marketplace, Product, Store
    from apps.core.tenancy import tenant_scope

    org, _created = Organization.objects.get_or_create(slug=SLUG, defaults={"name": "Bench load"})
    with tenant_scope(org):
        if Listing.objects.for_org(org).count() != n:
            Listing.objects.for_org(org).delete()
            Product.objects.for_org(org).delete()
            Store.objects.for_org(org).delete()
            stores = [Store.objects.create(organization=org, name=f"Voltora {code}",
                                           marketplace=Marketplace.objects.get(code=code),
                                           seller_id=f"ALOAD{code}")
                      for code in ("amazon_us", "amazon_de")]  # fmt: skip
            products = Product.objects.bulk_create(
                [Product(organization=org, sku=f"LD-{i:06d}", name=f"磁吸无线充电器 {i}",
                         brand="Voltora", category="Chargers", unit_cost="42.50",
                         attributes={"power_w": 15, "colour": "black"})
                 for i in range(n // 2)], batch_size=2000)  # fmt: skip
            Listing.objects.bulk_create(
                [Listing(organization=org, product=p, store=s, external_id=f"B0{p.pk:08d}",
                         title=f"Voltora 15W Magnetic Wireless Charger for iPhone {p.sku}",
                         bullets=[f"Fast 15W charging, bullet {k}: safe, cool and quiet"
                                  for k in range(5)],
                         description="A fast magnetic wireless charger with an aluminium "
                                     "body. " * 8,
                         search_terms="wireless charger magnetic 15w", language="en-US",
                         price="19.99", currency="USD", stock=100)
                 for p in products for s in stores], batch_size=2000)  # fmt: skip
    ApiKey.objects.filter(organization=org).delete()
    issued = api_key_issue(org=org, name="load", scopes=["catalog:read"])
    ApiKey.objects.filter(pk=issued.api_key.pk).update(rate_limit_per_minute=10_000_000)
    return issued.raw_key


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _cpu_seconds(pids: list[int]) -> float:
    """utime + stime of these processes (seconds), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def _server_pids(gunicorn_pid: int) -> dict[str, list[int]]:
    """gunicorn's workers and the PostgreSQL server's processes (its backends serve them)."""
    pids = {"app": _children(gunicorn_pid), "db": []}
    pidfile = ROOT / ".data" / "pg" / "postmaster.pid"
    if pidfile.exists():
        postmaster = int(pidfile.read_text().split()[0])
        pids["db"] = [postmaster, *_children(postmaster)]
    return pids


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_gunicorn(port: int, workers: int, threads: int) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "_load_settings", "DJANGO_LOG_LEVEL": "ERROR"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "bench"), str(ROOT)])
    gunicorn = Path(sys.executable).with_name("gunicorn")
    return subprocess.Popen(
        [str(gunicorn), "crossborder.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads),
         "--keep-alive", "30", "--log-level", "warning", "--chdir", str(ROOT)],
        env=env, start_new_session=True,
    )  # fmt: skip


def _wait_ready(port: int, key: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", f"{REAL}?page_size=1", headers={"Authorization": f"Bearer {key}"})
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("gunicorn did not answer in time")


def _client(args: tuple) -> tuple[list[float], int, float]:
    """One closed-loop client: latencies (s) of the requests it sent until `until`, errors,
    and its own CPU seconds."""
    port, key, urls, until, seed = args
    cpu0 = time.process_time()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Authorization": f"Bearer {key}", "Accept": "application/json"}
    latencies, errors, page = [], 0, seed
    while time.time() < until:
        url = urls[page % len(urls)]
        page += 1
        t0 = time.perf_counter()
        conn.request("GET", url, headers=headers)
        response = conn.getresponse()
        body = response.read()
        latencies.append(time.perf_counter() - t0)
        if response.status != 200 or not body:
            errors += 1
    conn.close()
    return latencies, errors, time.process_time() - cpu0


def _page_urls(port: int, key: str, path: str, pages: int) -> list[str]:
    """Every page's URL: the API's by following `next` (cursor pagination), the bare
    endpoint's by page number."""
    if path == BARE:
        return [f"{path}?page_size=100&page={n}" for n in range(1, pages + 1)]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {key}", "Accept": "application/json"}
    urls, url = [], f"{path}?page_size=100"
    while url:
        urls.append(url)
        conn.request("GET", url, headers=headers)
        link = json.loads(conn.getresponse().read())["next"]
        url = link[link.index(path) :] if link else None
    conn.close()
    return urls


def _slice(pool, port, key, path, urls, seconds, clients, pids) -> dict:
    until = time.time() + seconds
    pids = {**pids, "db": [*pids["db"], *_children(pids["db"][0])] if pids["db"] else []}
    before = {k: _cpu_seconds(v) for k, v in pids.items()}
    t0 = time.perf_counter()
    results = pool.map(_client, [(port, key, urls, until, i * 7) for i in range(clients)])
    wall = time.perf_counter() - t0
    after = {k: _cpu_seconds(v) for k, v in pids.items()}
    return {
        "latencies": [x for lat, _e, _c in results for x in lat],
        "errors": sum(e for _l, e, _c in results),
        "wall": wall,
        "cpu_app": after["app"] - before["app"],
        "cpu_db": after["db"] - before["db"],
        "cpu_client": sum(c for _l, _e, c in results),
    }


def _summary(run: dict) -> dict:
    ordered = sorted(run["latencies"])
    n = len(ordered)

    def pct(p: float) -> float:
        return round(ordered[min(n - 1, int(p * n))] * 1000, 1)

    per = {k: round(run[k] / n * 1000, 2) for k in ("cpu_app", "cpu_db", "cpu_client")}
    cpu_ms = per["cpu_app"] + per["cpu_db"] + per["cpu_client"]
    return {"requests": n, "errors": run["errors"], "seconds": round(run["wall"], 2),
            "rps": round(n / run["wall"], 1), "p50_ms": pct(0.50), "p95_ms": pct(0.95),
            "p99_ms": pct(0.99), "cpu_ms_per_request": per,
            # What the machine's cores could serve if this benchmark had them to itself.
            "idle_capacity_rps": round(os.cpu_count() * 1000 / cpu_ms, 1)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20, help="per endpoint")
    parser.add_argument("--listings", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--slices", type=int, default=4, help="alternations per endpoint")
    args = parser.parse_args()
    django_setup()
    from django.db import connections

    key = _seed(args.listings)
    connections.close_all()
    pages = max(1, args.listings // 100)
    port = _free_port()
    server = _start_gunicorn(port, args.workers, args.threads)
    keys = ("latencies", "errors", "wall", "cpu_app", "cpu_db", "cpu_client")
    runs: dict[str, dict] = {
        p: {k: [] if k == "latencies" else 0 for k in keys} for p in (REAL, BARE)
    }
    try:
        _wait_ready(port, key)
        pids = _server_pids(server.pid)
        urls = {path: _page_urls(port, key, path, pages) for path in (REAL, BARE)}
        with multiprocessing.get_context("fork").Pool(args.clients) as pool:
            for path in (REAL, BARE):  # warm both workers' code paths and caches
                _slice(pool, port, key, path, urls[path], 1.5, args.clients, pids)
            load_before = os.getloadavg()
            for _ in range(args.slices):
                for path in (REAL, BARE):
                    got = _slice(pool, port, key, path, urls[path], args.seconds / args.slices,
                                 args.clients, pids)  # fmt: skip
                    for k in keys:
                        runs[path][k] += got[k]
            load_after = os.getloadavg()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    real, bare = (_summary(runs[p]) for p in (REAL, BARE))
    for name, figures in (("api  /api/v1/listings/", real), ("bare DRF ModelSerializer", bare)):
        print(f"{name}: {figures['rps']} req/s, p50 {figures['p50_ms']} ms, "
              f"p95 {figures['p95_ms']} ms, p99 {figures['p99_ms']} ms "
              f"({figures['requests']} requests, {figures['errors']} errors); CPU ms per "
              f"request {figures['cpu_ms_per_request']} -> idle capacity "
              f"{figures['idle_capacity_rps']} req/s")  # fmt: skip
    ratio = round(real["rps"] / bare["rps"], 3) if bare["rps"] else None
    cpu_ratio = round(real["idle_capacity_rps"] / bare["idle_capacity_rps"], 3)
    print(
        f"ratio api/bare: {ratio} (measured req/s), {cpu_ratio} (CPU per request); "
        f"load average {load_before[0]:.2f} -> {load_after[0]:.2f}"
    )
    print(
        json.dumps(
            {
                "benchmark": "api_load",
                "endpoint": f"{REAL}?page_size=100",
                "server": f"gunicorn gthread {args.workers} workers x {args.threads} threads",
                "load_generator": f"{args.clients} processes, http.client keep-alive, closed loop",
                "cpus": os.cpu_count(),
                "api": real,
                "bare": bare,
                "ratio": ratio,
                "ratio_by_cpu": cpu_ratio,
                "load_average": [round(load_before[0], 2), round(load_after[0], 2)],
                "target_rps": 300,
                "target_p99_ms": 150,
                "target_ratio": 0.8,
            }
        )
    )


if __name__ == "__main__":
    main()
