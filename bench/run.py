"""`make bench`: throughput of the public /notice/ page as a ratio to a bare "hello" view.

Both are served by the same gunicorn server, in the same run, with the same middleware, against
a fresh SQLite database with the demo loaded; the load comes from wrk (or, without it, a small
Python client) on loopback, bounded in time. The ratio is what matters: absolute figures depend
on the machine. Results are printed and written to docs/PERFORMANCE.md.

Environment: BENCH_SECONDS (per measurement, default 10), BENCH_CONNECTIONS (default 16),
BENCH_WORKERS (gunicorn workers, default 2), BENCH_ROUNDS (default 2; the best round counts),
BENCH_PARTS ("notice,home,national,import,uploads,reports": which benchmarks run; the home page and
how soon a publication shows on it `bench/home.py`, the national one `bench/national.py`, the
Excel import one `bench/import_rate.py`, the 1 GiB upload and photo processing one
`bench/uploads.py`, the summary reports' board and compilation `bench/reports.py`).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VENV_BIN = Path(sys.executable).parent
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
MAX_REQUESTS = 2_000_000  # hard bound for the Python client
PATHS = {"hello": "/bench/hello", "notice": "/notice/"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(env: dict) -> None:
    """Fresh database with the migrations' seed and the demo; static files collected."""
    for args in (
        ["migrate", "--noinput", "-v", "0"],
        ["load_demo", "--quiet"],
        ["collectstatic", "--noinput", "-v", "0"],
    ):
        subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def wait_until_up(base: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not come up")


def check_page(base: str, path: str, timeout: float = 10) -> int:
    with urllib.request.urlopen(base + path, timeout=timeout) as response:
        body = response.read()
        if response.status != 200:
            raise SystemExit(f"{path} answered {response.status}")
        return len(body)


def run_wrk(url: str, seconds: int, connections: int | None = None, slow: bool = False) -> float:
    """Requests per second. `slow`: pages that may take seconds (a 60 s request timeout; a
    timed-out request only lowers the rate, anything but a 2xx still fails)."""
    args = ["wrk", "-t", "1", "-c", str(connections or CONNECTIONS), "-d", f"{seconds}s"]
    if slow:
        args += ["--timeout", "60s"]
    out = subprocess.run(
        [*args, "--latency", url],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 90,
    ).stdout
    if "Non-2xx" in out or ("Socket errors" in out and not slow):
        raise SystemExit(f"errors while loading {url}:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def run_python_client(url: str, seconds: int) -> float:
    """Keep-alive HTTP/1.1 clients in threads, bounded in time and in request count."""
    match = re.match(r"http://([^:/]+):(\d+)(/.*)", url)
    host, port, path = match.group(1), int(match.group(2)), match.group(3)
    deadline = time.monotonic() + seconds
    counts = [0] * CONNECTIONS
    failures: list[str] = []

    def client(index: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=10)
        while time.monotonic() < deadline and sum(counts) < MAX_REQUESTS:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                failures.append(str(response.status))
                return
            counts[index] += 1
        conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise SystemExit(f"{url} answered {failures[0]}")
    return sum(counts) / (time.monotonic() - started)


@contextlib.contextmanager
def serve(env: dict):
    """A gunicorn server on a free loopback port with `env`; yields its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_until_up(base)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()


def drain(base: str, limit: float = 300) -> None:
    """Wait until every worker is free again: requests wrk gave up on may still be running
    (sync workers finish them), and would otherwise eat the next measurement's time."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        started = time.monotonic()
        threads = [
            threading.Thread(target=check_page, args=(base, "/bench/hello", limit))
            for _ in range(WORKERS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if time.monotonic() - started < 0.5:
            return


def measure_paths_for_national(env: dict, paths: dict[str, str]) -> dict:
    """Throughput of each path (same server, same run), alternating rounds; for bench.national."""
    seconds = int(os.environ.get("BENCH_LIST_SECONDS", "5"))
    with serve(env) as base:
        sizes = {name: check_page(base, path, timeout=120) for name, path in paths.items()}
        if shutil.which("wrk"):

            def measure(url: str, seconds: int) -> float:
                return run_wrk(url, seconds, connections=WORKERS * 2, slow=True)
        else:
            measure = run_python_client
        for path in paths.values():
            measure(base + path, 2)
            drain(base)
        rates: dict[str, list[float]] = {name: [] for name in paths}
        for round_ in range(1, ROUNDS + 1):
            for name, path in paths.items():
                rate = measure(base + path, seconds)
                drain(base)
                rates[name].append(rate)
                print(f"round {round_}: {name:<20} {rate:10,.1f} requests/s", flush=True)
    tool = "wrk" if shutil.which("wrk") else "a Python keep-alive client"
    return {"tool": tool, "seconds": seconds, "paths": paths, "bytes": sizes, "rates": rates}


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB memory"
    except (OSError, ValueError, IndexError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{memory}, {platform.system()} {platform.release()}"


def versions() -> str:
    import django

    return f"Python {platform.python_version()}, Django {django.get_version()}"


def write_report(results: dict, sizes: dict, tool: str) -> str:
    ratio = max(results["notice"]) / max(results["hello"])
    ratio_off = max(results["notice (cache off)"]) / max(results["hello (cache off)"])
    now = datetime.now(ZoneInfo("Asia/Shanghai"))
    rows = "\n".join(
        f"| `{PATHS[name.split(' ')[0]]}`{' (page cache off)' if ' ' in name else ''} | "
        f"{sizes[name.split(' ')[0]]:,} | "
        + " / ".join(f"{value:,.0f}" for value in results[name])
        + f" | {max(results[name]):,.0f} |"
        for name in ("hello", "notice", "hello (cache off)", "notice (cache off)")
    )
    report = f"""# Performance

Figures from `make bench` (`bench/run.py`). Each figure is a ratio to a baseline measured in the
same run, on the same server: absolute requests per second depend on the machine, the ratio much
less. Only the latest run is kept here; the command rewrites this file.

## The public notice page against a bare view

The server is gunicorn ({WORKERS} sync workers) on 127.0.0.1 with the production settings
(DEBUG off, every middleware on: sessions, CSRF, CSP, authentication, second factor, lockout),
the embedded SQLite database with the seeded national structure, the 2023 campaign and the demo.
The baseline is `/bench/hello`, a view that returns five bytes through the same middleware
(routed only when `BENCH_HELLO` is set, which only the benchmark does). The load generator
is {tool} with {CONNECTIONS} keep-alive connections on loopback, {SECONDS} s per measurement,
{ROUNDS} alternating rounds; the best round of each counts.

- Date: {now:%Y-%m-%d %H:%M} (Asia/Shanghai)
- Machine: {machine()}
- Software: {versions()}, gunicorn, SQLite

| Path | Bytes | Requests/s per round | Best |
|---|---:|---:|---:|
{rows}

**Ratio `/notice/` : hello = {ratio:.2f}** as served: anonymous visitors share a cached copy
of a public page for a minute (`PUBLIC_PAGE_CACHE_SECONDS`, `sciday/core/pagecache.py`), so a
hit costs the middleware and a cache read (the embedded cache is files under `var/cache/`).
With the page cache off (a second server in the same run, `PUBLIC_PAGE_CACHE_SECONDS=0`), the
ratio is **{ratio_off:.2f}**: what each miss costs, the page's own queries and rendering (the
laid-out document itself is cached on the campaign's `updated_at`).

## How to read and repeat it

`make bench` installs what is missing (wrk from Debian), builds a fresh database under
`var/bench/`, starts the server, measures, stops the server and rewrites this file. Variables:
`BENCH_SECONDS`, `BENCH_CONNECTIONS`, `BENCH_WORKERS`, `BENCH_ROUNDS`. The load generator and the
server share the machine's cores, so both figures are lower than on separate machines; the
ratio compares like with like. No test asserts on timing.
"""
    path = ROOT / "docs" / "PERFORMANCE.md"
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    # Sections other benchmarks keep between <!-- name:start --> and <!-- name:end --> stay.
    blocks = re.findall(r"\n<!-- (?:\w+):start -->.*?<!-- (?:\w+):end -->\n", old, flags=re.S)
    path.write_text(report + "".join(blocks), encoding="utf-8")
    return f"/notice/ : hello = {ratio:.2f} (page cache off: {ratio_off:.2f})"


def main() -> None:
    parts = os.environ.get("BENCH_PARTS", "notice,home,national,import,uploads,reports").split(",")
    if "notice" in parts:
        notice()
    if "home" in parts:
        from bench import home

        home.main()
    if "national" in parts:
        from bench import national

        national.main()
    if "import" in parts:
        from bench import import_rate

        import_rate.main()
    if "uploads" in parts:
        from bench import uploads

        uploads.main()
    if "reports" in parts:
        from bench import reports

        reports.main()


def measure_notice(env: dict) -> tuple[dict[str, list[float]], dict[str, int], str]:
    with serve(env) as base:
        sizes = {name: check_page(base, path) for name, path in PATHS.items()}
        tool = "wrk" if shutil.which("wrk") else "a Python keep-alive client"
        measure = run_wrk if shutil.which("wrk") else run_python_client
        for path in PATHS.values():  # warm up every worker
            measure(base + path, 2)
        results: dict[str, list[float]] = {name: [] for name in PATHS}
        for round_ in range(1, ROUNDS + 1):
            for name, path in PATHS.items():
                rate = measure(base + path, SECONDS)
                results[name].append(rate)
                print(f"round {round_}: {path:<14} {rate:10,.0f} requests/s", flush=True)
    return results, sizes, tool


def notice() -> None:
    var = ROOT / "var" / "bench"
    if var.exists():
        shutil.rmtree(var)
    var.mkdir(parents=True)
    env = {
        **os.environ,
        "SCIDAY_VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'bench.sqlite3'}",
        "REDIS_URL": "",
        "DEBUG": "false",
        "BENCH_HELLO": "true",
        "LOG_LEVEL": "ERROR",
        "PYTHONWARNINGS": "ignore",
    }
    print("Preparing a fresh database with the demo…", flush=True)
    prepare(env)

    # As served (anonymous visitors share a cached copy for a minute), then with the page cache
    # off: what each miss costs.
    results, sizes, tool = measure_notice(env)
    off, _, _ = measure_notice({**env, "PUBLIC_PAGE_CACHE_SECONDS": "0"})
    results.update({f"{name} (cache off)": rates for name, rates in off.items()})
    summary = write_report(results, sizes, tool)
    print(f"{summary}  (median hello {statistics.median(results['hello']):,.0f}/s)")
    print("Written to docs/PERFORMANCE.md")


if __name__ == "__main__":
    main()
