"""A small HTTP load generator: N client threads, each with its own keep-alive
``http.client`` connection, asking for one URL for a fixed time after a warm-up.

A connection is opened again whenever the server closes it (gunicorn's sync workers
answer every request with ``Connection: close``), so the figure includes the cost of
connecting, as a real client of such a server pays it. Only answers with status 200
count as done; any other status or a failed connection counts as an error.

    .venv/bin/python bench/loadgen.py http://127.0.0.1:8000/ --clients 16 \\
        --duration 10 --warmup 3

``--processes P`` runs P copies of the generator (each with clients/P threads) side
by side, so one Python process's lock on the interpreter does not cap the figure.
"""

import argparse
import http.client
import json
import subprocess
import sys
import threading
import time
from urllib.parse import urlsplit

TIMEOUT = 60


def _percentile(values, fraction):
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def _client(host, port, target, start, warm_until, stop_at, out, headers):
    """One client: ask again as soon as an answer is read, until ``stop_at``."""
    done, errors, latencies, statuses = 0, 0, [], {}
    connection = None
    while time.monotonic() < start:
        time.sleep(0.001)
    while True:
        began = time.monotonic()
        if began >= stop_at:
            break
        status = None
        try:
            if connection is None:
                connection = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
            connection.request("GET", target, headers=headers)
            response = connection.getresponse()
            response.read()
            status = response.status
            if response.will_close:
                connection.close()
                connection = None
        except (OSError, http.client.HTTPException):
            if connection is not None:
                connection.close()
            connection = None
        ended = time.monotonic()
        if began < warm_until or ended > stop_at:
            continue
        if status == 200:
            done += 1
            latencies.append(ended - began)
        else:
            errors += 1
            statuses[str(status)] = statuses.get(str(status), 0) + 1
    if connection is not None:
        connection.close()
    out.append((done, errors, latencies, statuses))


def run_threads(url, *, clients, duration, warmup, start_at=None, headers=None):
    """Run ``clients`` threads against ``url``; counts and latencies of the window."""
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    headers = {"User-Agent": "portal-bench", **(headers or {})}
    now = time.monotonic()
    # start_at is wall-clock time, shared by every process of one run.
    delay = max(0.0, (start_at - time.time())) if start_at else 0.05
    start = now + delay
    warm_until = start + warmup
    stop_at = warm_until + duration
    out = []
    threads = [
        threading.Thread(
            target=_client,
            args=(
                parts.hostname,
                parts.port or 80,
                target,
                start,
                warm_until,
                stop_at,
                out,
                headers,
            ),
            daemon=True,
        )
        for _ in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration + warmup + delay + TIMEOUT + 5)
    done = sum(item[0] for item in out)
    errors = sum(item[1] for item in out)
    latencies = [value for item in out for value in item[2]]
    statuses = {}
    for item in out:
        for status, count in item[3].items():
            statuses[status] = statuses.get(status, 0) + count
    return {
        "done": done,
        "errors": errors,
        "statuses": statuses,
        "duration": duration,
        "latencies": latencies,
    }


def run(url, *, clients, duration, warmup, processes=1, headers=None):
    """Requests per second of ``url`` with ``clients`` clients over ``processes``."""
    if processes <= 1:
        result = run_threads(
            url, clients=clients, duration=duration, warmup=warmup, headers=headers
        )
    else:
        start_at = time.time() + 1.0
        share = [
            clients // processes + (i < clients % processes) for i in range(processes)
        ]
        commands = [
            [
                sys.executable,
                __file__,
                url,
                "--clients",
                str(n),
                "--duration",
                str(duration),
                "--warmup",
                str(warmup),
                "--start-at",
                repr(start_at),
                "--raw",
            ]
            for n in share
            if n
        ]
        for name, value in (headers or {}).items():
            for command in commands:
                command += ["--header", f"{name}: {value}"]
        children = [
            subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
            for command in commands
        ]
        parts = []
        try:
            for child in children:
                output, _ = child.communicate(timeout=duration + warmup + TIMEOUT + 30)
                parts.append(json.loads(output))
        finally:
            for child in children:
                if child.poll() is None:
                    child.kill()
                    child.wait()
        result = {
            "done": sum(p["done"] for p in parts),
            "errors": sum(p["errors"] for p in parts),
            "statuses": {},
            "duration": duration,
            "latencies": [v for p in parts for v in p["latencies"]],
        }
        for part in parts:
            for status, count in part["statuses"].items():
                result["statuses"][status] = result["statuses"].get(status, 0) + count
    return summarise(result, clients=clients)


def summarise(result, *, clients):
    latencies = result.pop("latencies")
    result["clients"] = clients
    result["rps"] = result["done"] / result["duration"]
    result["p50_ms"] = _percentile(latencies, 0.5) * 1000 if latencies else None
    result["p95_ms"] = _percentile(latencies, 0.95) * 1000 if latencies else None
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--header", action="append", default=[])
    parser.add_argument("--start-at", type=float, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--raw", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    headers = dict(item.split(": ", 1) for item in args.header)
    if args.raw:
        result = run_threads(
            args.url,
            clients=args.clients,
            duration=args.duration,
            warmup=args.warmup,
            start_at=args.start_at,
            headers=headers,
        )
        sys.stdout.write(json.dumps(result))
        return
    result = run(
        args.url,
        clients=args.clients,
        duration=args.duration,
        warmup=args.warmup,
        processes=args.processes,
        headers=headers,
    )
    print(
        f"{result['rps']:.1f} requests/s ({result['done']} in {args.duration:g} s, "
        f"{result['errors']} errors {result['statuses']}), p50 "
        f"{result['p50_ms'] or 0:.1f} ms, p95 {result['p95_ms'] or 0:.1f} ms, "
        f"{args.clients} clients"
    )


if __name__ == "__main__":
    main()
