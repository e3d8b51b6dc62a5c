"""The figures ``bench/load.py`` prints: per endpoint, the run's targets, and the human-readable table."""

from __future__ import annotations

ENDPOINTS = ("ping", "rankings", "model_footprints", "estimate")
CEILING = "ping"
CATALOGUE_READS = ("rankings", "model_footprints")  # the GETs of stored catalogue figures; estimate computes
CATALOGUE_P95_LIMIT_MS = 50.0  # target from the issue
RATIO_FLOOR = 0.5  # target from the issue: each endpoint at >= 50 % of the ping's requests/s


def per(amount: float, count: float, scale: float = 1.0, digits: int = 3) -> float | None:
    """amount / count (times scale), rounded; None when nothing was counted (JSON has no NaN)."""
    return round(scale * amount / count, digits) if count else None


def summarise(result: dict, cpu: dict, server: dict) -> dict:
    rows = {}
    for name in ENDPOINTS:
        measured, groups = result["endpoints"][name], cpu[name]
        seconds, requests = measured["seconds"], measured["requests"]
        served = server[name]["logged"] or requests
        rows[name] = {
            "requests": requests,
            "rps": per(requests, seconds, digits=1) or 0.0,
            "p50_ms": measured.get("p50_ms"),
            "p95_ms": measured.get("p95_ms"),
            "p99_ms": measured.get("p99_ms"),
            "errors": measured["errors"],
            "error_kinds": measured["error_kinds"],
            "max_ms": measured.get("max_ms"),
            "seconds": seconds,
            "server_p50_ms": server[name].get("p50_ms"),
            "server_p95_ms": server[name].get("p95_ms"),
            "server_logged": server[name]["logged"],
            # Per request the server completed (its log), counting those a stopped wrk no longer waited for.
            "worker_cpu_ms_per_request": per(groups.get("workers", 0.0), served, 1000),
            "postgres_cpu_ms_per_request": per(groups.get("postgres", 0.0), served, 1000),
            "cores": {
                group: per(value, groups.get("wall", 0.0), digits=2)
                for group, value in groups.items()
                if group != "wall"
            },
        }
    return rows


def targets(rows: dict) -> dict:
    ceiling = rows[CEILING]["rps"]
    ratios = {name: round(rows[name]["rps"] / ceiling, 3) if ceiling else None for name in ENDPOINTS if name != CEILING}
    catalogue_p95 = {name: rows[name]["p95_ms"] for name in CATALOGUE_READS}
    return {
        "zero_errors": all(row["errors"] == 0 for row in rows.values()),
        "catalogue_p95_ok": all(p95 is not None and p95 <= CATALOGUE_P95_LIMIT_MS for p95 in catalogue_p95.values()),
        "catalogue_p95_ms": catalogue_p95,
        "catalogue_p95_limit_ms": CATALOGUE_P95_LIMIT_MS,
        "ratios_ok": all(ratio is not None and ratio >= RATIO_FLOOR for ratio in ratios.values()),
        "ratios": ratios,
        "ratio_floor": RATIO_FLOOR,
    }


def print_table(rows: dict, checks: dict) -> None:
    print(f"{'endpoint':<17}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>7}"
          f"{'server p50/p95':>16}{'worker CPU/req':>16}{'ratio':>7}")  # fmt: skip
    for name, row in rows.items():
        server = f"{row['server_p50_ms']}/{row['server_p95_ms']}"
        ratio = checks["ratios"].get(name)
        ratio_text = "" if ratio is None else f"{ratio:>7.2f}"
        print(f"{name:<17}{row['requests']:>9}{row['rps']:>9.1f}{row['p50_ms'] or 0:>9.1f}{row['p95_ms'] or 0:>9.1f}"
              f"{row['p99_ms'] or 0:>9.1f}{row['errors']:>7}{server:>16}"
              f"{row['worker_cpu_ms_per_request'] or 0:>13.2f} ms{ratio_text}")  # fmt: skip
    print("cores busy while each endpoint ran (CPU s per s):")
    for name, row in rows.items():
        cores = row["cores"]
        ours = sum(value or 0 for group, value in cores.items() if group != "machine")
        print(f"  {name:<17}" + "  ".join(f"{group} {value or 0:.2f}" for group, value in cores.items())
              + f"  (everything else on the machine {(cores.get('machine') or 0) - ours:.2f})")  # fmt: skip
    verdict = {True: "met", False: "MISSED"}
    print(f"targets: 0 errors {verdict[checks['zero_errors']]}; catalogue p95 <= {CATALOGUE_P95_LIMIT_MS:g} ms "
          f"{verdict[checks['catalogue_p95_ok']]} {checks['catalogue_p95_ms']}; each endpoint >= "
          f"{RATIO_FLOOR:.0%} of the ping's req/s {verdict[checks['ratios_ok']]} {checks['ratios']}")  # fmt: skip
