"""`make bench`, part "home": the theme site's home page `/` against a bare view, and how soon a
publication shows on it.

The same gunicorn server serves `/` and `/bench/hello` (the baseline: five bytes through the same
middleware) in the same run, against a fresh SQLite database with the whole demo loaded (the
composed 2023 home: banner, featured activities and resources, news, showcase, figures). As
served (anonymous visitors share a cached copy, `sciday/core/pagecache.py`), then with the page
cache off (a second server, `PUBLIC_PAGE_CACHE_SECONDS=0`): what a miss costs.

Freshness: with the cache on and `/` cached, a news item is published through the services
(create, submit, approve by the demo campaign admin) in a separate process, as a person's
request would; the clock starts at its commit and stops when an anonymous GET of `/` first shows
its title (polled every 0.25 s, at most 90 s). Target: within 60 s.

Results go to docs/PERFORMANCE.md between the `home` markers. Only 127.0.0.1; bounded in time.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import run  # noqa: E402

PATHS = {"hello": "/bench/hello", "home": "/"}
TARGET_RATIO = 0.5
TARGET_SECONDS = 60
PUBLISH = r"""
import json, time
import django
django.setup()
from sciday.accounts.models import User
from sciday.campaigns.models import Campaign
from sciday.news import services
from sciday.orgs.models import Unit

admin = User.objects.get(email="campaign.admin@sciday.test")
campaign = Campaign.objects.get(year=2023)
unit = Unit.objects.get(code="cast-publicity")
item = services.news_create(
    actor=admin, campaign=campaign, unit=unit, category="announcement",
    title=TITLE, summary="基准测试发布的公告。", body="<p>基准测试发布的公告。</p>",
)
item = services.news_submit(actor=admin, item=item)
if item.status != "published":
    item = services.news_approve(actor=admin, item=item)
print(json.dumps({"committed": time.time(), "status": item.status}))
"""


def _get(base: str, path: str) -> str:
    with urllib.request.urlopen(base + path, timeout=30) as response:
        return response.read().decode("utf-8", "replace")


def measure(env: dict) -> tuple[dict[str, list[float]], dict[str, int]]:
    with run.serve(env) as base:
        sizes = {name: run.check_page(base, path) for name, path in PATHS.items()}
        load = run.run_wrk if shutil.which("wrk") else run.run_python_client
        for path in PATHS.values():
            load(base + path, 2)
        rates: dict[str, list[float]] = {name: [] for name in PATHS}
        for round_ in range(1, run.ROUNDS + 1):
            for name, path in PATHS.items():
                rate = load(base + path, run.SECONDS)
                rates[name].append(rate)
                print(f"round {round_}: {path:<14} {rate:10,.0f} requests/s", flush=True)
    return rates, sizes


def freshness(env: dict) -> dict:
    """Seconds from a news item's commit until `/` (cached before) shows its title."""
    title = f"基准测试公告{int(time.time())}"
    with run.serve(env) as base:
        for _ in range(3):  # cached now, for every worker
            assert title not in _get(base, "/")
        out = subprocess.run(
            [sys.executable, "-c", PUBLISH.replace("TITLE", json.dumps(title))],
            cwd=ROOT,
            env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        published = json.loads(out.stdout.strip().splitlines()[-1])
        committed = published["committed"]
        polls = 0
        while time.time() - committed < 90:
            polls += 1
            if title in _get(base, "/"):
                return {"seconds": time.time() - committed, "polls": polls, "shown": True}
            time.sleep(0.25)
        return {"seconds": time.time() - committed, "polls": polls, "shown": False}


def section(rates: dict, sizes: dict, off: dict, fresh: dict, tool: str) -> str:
    ratio = max(rates["home"]) / max(rates["hello"])
    ratio_off = max(off["home"]) / max(off["hello"])
    now = datetime.now(ZoneInfo("Asia/Shanghai"))
    rows = []
    for label, source in (("as served", rates), ("page cache off", off)):
        for name, path in PATHS.items():
            values = " / ".join(f"{v:,.0f}" for v in source[name])
            rows.append(
                f"| `{path}` ({label}) | {sizes[name]:,} | {values} | {max(source[name]):,.0f} |"
            )
    met = "met" if ratio >= TARGET_RATIO else "NOT met"
    shown = (
        f"**{fresh['seconds']:.1f} s** after the commit ({fresh['polls']} polls)"
        if fresh["shown"]
        else f"NOT shown within {fresh['seconds']:.0f} s"
    )
    fresh_met = "met" if fresh["shown"] and fresh["seconds"] <= TARGET_SECONDS else "NOT met"
    body = "\n".join(rows)
    return f"""
<!-- home:start -->
## The home page `/` against a bare view

Figures from `bench/home.py` (`make bench`, part `home`): gunicorn ({run.WORKERS} sync workers)
on 127.0.0.1, production settings, a fresh SQLite database with the whole demo (the composed 2023
home: banner, featured activities and resources, news, showcase, live figures). Load: {tool},
{run.CONNECTIONS} connections, {run.SECONDS} s per measurement, {run.ROUNDS} alternating rounds,
the best counts.

- Date: {now:%Y-%m-%d %H:%M} (Asia/Shanghai)
- Machine: {run.machine()}
- Software: {run.versions()}, gunicorn, SQLite

| Path | Bytes | Requests/s per round | Best |
|---|---:|---:|---:|
{body}

**Ratio `/` : hello = {ratio:.2f}** as served (target ≥ {TARGET_RATIO:.2f}: {met}); with the page
cache off, **{ratio_off:.2f}** (what a miss costs: the composed page's queries and rendering).

**A publication shows on `/`** {shown} (target ≤ {TARGET_SECONDS} s: {fresh_met}): a news item
published through the services commits, its audit entry drops the cached pages at once
(`pagecache.refresh_soon`, at most once per `PUBLIC_PAGE_REFRESH_MIN_SECONDS`), and the next
anonymous request renders the page anew. Without that, a copy would live up to
`PUBLIC_PAGE_CACHE_SECONDS` (60 s).
<!-- home:end -->
"""


def write(text: str) -> None:
    path = ROOT / "docs" / "PERFORMANCE.md"
    old = path.read_text(encoding="utf-8")
    start, end = "\n<!-- home:start -->", "<!-- home:end -->\n"
    if start in old:
        head, rest = old.split(start, 1)
        old = head + rest.split(end, 1)[1]
    path.write_text(old.rstrip("\n") + "\n" + text, encoding="utf-8")


def main() -> None:
    var = ROOT / "var" / "bench-home"
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
    print("Home: preparing a fresh database with the demo…", flush=True)
    run.prepare(env)
    rates, sizes = measure(env)
    off, _ = measure({**env, "PUBLIC_PAGE_CACHE_SECONDS": "0"})
    fresh = freshness(env)
    tool = "wrk" if shutil.which("wrk") else "a Python keep-alive client"
    text = section(rates, sizes, off, fresh, tool)
    if "--no-write" in sys.argv:
        print(text)
    else:
        write(text)
        print("Written to docs/PERFORMANCE.md")
    ratio = max(rates["home"]) / max(rates["hello"])
    median = statistics.median(rates["hello"])
    print(f"/ : hello = {ratio:.2f} (median hello {median:,.0f}/s); shown after {fresh}")


if __name__ == "__main__":
    main()
