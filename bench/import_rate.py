"""Excel import throughput: a 100,000-row workbook checked and saved, on SQLite and PostgreSQL.

For each database, a fresh one gets the migrations' seed and the demo; then, in a process of its
own (`--measure`), a workbook of realistic rows (the import template's columns; categories,
formats, prefectures of Zhejiang, co-organizers, sign-up and capacities varied; one row in a
hundred with a bad cell) is generated for the Zhejiang CAST's editor and imported as the pages
do it: `importing.job_create` (the background check) then `importing.job_save` (the background
check-and-save), with the task backend run in-process. Twice: the first run creates the
activities, the second (the same references, other titles and summaries) updates them.

Timed: from the upload's bytes to the saved job (reading the file twice, checking, writing the
activities, co-organizers, history, audit entries and search entries). Not timed: generating the
workbook. Results go to the section "Excel import" of docs/PERFORMANCE.md.

    .venv/bin/python bench/import_rate.py            # both databases (PostgreSQL if it starts)
    BENCH_IMPORT_ROWS=20000 .venv/bin/python bench/import_rate.py
    BENCH_IMPORT_DATABASES=postgresql .venv/bin/python bench/import_rate.py --no-write

`--no-write` prints the section instead of writing it. Measuring one database keeps the other's
rows of the section's table as they were. Each database's figures are also kept in
var/bench-import/result-<vendor>.json.

PostgreSQL: the private cluster of `scripts/postgres.sh` (database `sciday_bench_import`), or
`BENCH_IMPORT_PG_URL`; skipped when neither is available.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from datetime import datetime, timedelta
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
PG_DATABASE = "sciday_bench_import"
SECTION = "## Excel import"
START, END = "<!-- import:start -->", "<!-- import:end -->"
TARGET_SECONDS = 60


# --- In the measuring process (Django set up on the chosen database) ------------------------


def generate(rows: int, *, campaign, lead, second: bool = False) -> bytes:
    """A workbook in the import template's columns with `rows` realistic activities."""
    from openpyxl import Workbook

    from sciday.activities import importing
    from sciday.orgs.models import Region, Unit

    categories = [str(c.number) for c in campaign.categories.order_by("number")]
    province = lead.province_code or "330000"
    prefectures = list(
        Region.objects.filter(code__startswith=province[:2])
        .exclude(code=province)
        .values_list("code", flat=True)[:20]
    ) or [province]
    names: dict[str, int] = {}
    for name in Unit.objects.filter(is_active=True).values_list("name", flat=True):
        names[name] = names.get(name, 0) + 1
    partners = [n for n, count in names.items() if count == 1 and n != lead.name][:30]
    first = datetime.combine(campaign.window_start, datetime.min.time())
    days = max((campaign.window_end - campaign.window_start).days, 1)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(importing.SHEET)
    sheet.append([header for _key, header in importing.COLUMNS])
    formats = ["线下"] * 6 + ["线上"] * 2 + ["线上线下"] * 2
    audiences = ["中小学生", "社区居民", "科技工作者", "高校师生", "老年人", "农民"]
    for n in range(rows):
        starts = first + timedelta(days=n % days, hours=8 + n % 9)
        fmt = formats[n % len(formats)]
        online = fmt != "线下"
        region = prefectures[n % len(prefectures)] if fmt != "线上" else ""
        bad = n % 100 == 99  # one row in a hundred with a cell to correct
        line = [
            f"BENCH-{n:06d}",
            f"{'（更新）' if second else ''}科学家精神宣讲第{n}场：走近科学家",
            f"第{n}场，邀请科技工作者讲述科学家故事{'，补充了内容' if second else ''}。",
            categories[n % len(categories)],
            "",
            fmt,
            starts,
            starts + timedelta(hours=2),
            region,
            f"示范路{n % 500}号科技馆报告厅" if region else "",
            f"https://live.example.cn/{n}" if online else "",
            audiences[n % len(audiences)],
            100 + n % 400,
            "是" if n % 3 else "否",
            80 + n % 300,
            "、".join(partners[(n + k) % len(partners)] for k in range(n % 3)) if partners else "",
            "",
        ]
        if bad:
            line[6] = "五月二十日"
        sheet.append(line)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def measure() -> dict:
    """Run the two imports in this process; return the figures (printed as JSON by --measure)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.db import connection

    from sciday.accounts.models import User
    from sciday.activities import importing
    from sciday.activities.models import Activity
    from sciday.campaigns.selectors import campaign_current
    from sciday.orgs.models import Unit

    actor = User.objects.get(email="unit.editor@sciday.test")
    lead = Unit.objects.select_related("region").get(code="cast-33")
    campaign = campaign_current()
    assert campaign is not None
    figures: dict = {
        "rows": ROWS,
        "vendor": connection.vendor,
        "runs": [],
        "load_before": round(os.getloadavg()[0], 1),
    }
    for second in (False, True):
        started = time.perf_counter()
        data = generate(ROWS, campaign=campaign, lead=lead, second=second)
        generated = time.perf_counter() - started
        started, cpu = time.perf_counter(), time.process_time()
        job = importing.job_create(
            actor=actor, unit=lead, campaign=campaign, data=data, filename="bench.xlsx", save=False
        )
        checked = time.perf_counter() - started
        assert job.status == "checked", (job.status, job.reason)
        started = time.perf_counter()
        job = importing.job_save(actor=actor, job=job)
        saved = time.perf_counter() - started
        assert job.status == "saved", (job.status, job.reason)
        total = checked + saved
        cpu = time.process_time() - cpu
        figures["runs"].append(
            {
                "kind": "re-import (updates)" if second else "first import (creates)",
                "bytes": len(data),
                "generate_s": round(generated, 1),
                "check_s": round(checked, 1),
                "save_s": round(saved, 1),
                "total_s": round(total, 1),
                "rows_per_s": round(ROWS / total),
                "cpu_s": round(cpu, 1),
                "counts": job.counts,
            }
        )
    figures["activities"] = Activity.objects.filter(reference__startswith="BENCH-").count()
    figures["load_after"] = round(os.getloadavg()[0], 1)
    return figures


# --- Driving: a fresh database per vendor, a process per measurement ------------------------


def _postgres_url() -> str | None:
    url = os.environ.get("BENCH_IMPORT_PG_URL")
    if url:
        return url
    script = ROOT / "scripts" / "postgres.sh"
    if not script.exists():
        return None
    started = subprocess.run([str(script), "start"], cwd=ROOT, capture_output=True, text=True)
    found = re.search(r"postgres(?:ql)?://\S+", started.stdout)
    if started.returncode != 0 or not found:
        return None
    base = found.group(0).rstrip("/").rsplit("/", 1)[0]
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
        conn.execute(f"CREATE DATABASE {PG_DATABASE}")
    return f"{base}/{PG_DATABASE}"


def _run_one(database_url: str, var: Path) -> dict:
    env = {
        **os.environ,
        "SCIDAY_VAR_DIR": str(var),
        "DATABASE_URL": database_url,
        "REDIS_URL": "",
        "DEBUG": "false",
        "LOG_LEVEL": "ERROR",
        "PYTHONWARNINGS": "ignore",
        "TASKS_BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
    }
    for args in (["migrate", "--noinput", "-v", "0"], ["load_demo", "--quiet"]):
        subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--measure"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _kept_rows(measured: set[str]) -> list[str]:
    """The table rows of the section in place for the databases not measured this time."""
    path = ROOT / "docs" / "PERFORMANCE.md"
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    if START not in current or END not in current:
        return []
    block = current.split(START, 1)[1].split(END, 1)[0]
    names = {"SQLite", "PostgreSQL"} - measured
    return [line for line in block.splitlines() if line.split(" | ")[0].lstrip("| ") in names]


def _section(results: list[dict]) -> str:
    """The Markdown of the section, from the figures of each database."""
    from bench.run import machine, versions

    now = datetime.now(ZoneInfo("Asia/Shanghai"))
    names = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
    lines = _kept_rows({names[f["vendor"]] for f in results})
    loads = []
    for figures in results:
        name = names[figures["vendor"]]
        if "load_before" in figures:
            loads.append(f"{name} {figures['load_before']:.1f} → {figures['load_after']:.1f}")
        for run in figures["runs"]:
            c = run["counts"]
            lines.append(
                f"| {name} | {run['kind']} | {run['check_s']:.1f} | {run['save_s']:.1f} | "
                f"**{run['total_s']:.1f}** | {run['rows_per_s']:,} | "
                f"{c.get('create', 0):,} / {c.get('update', 0):,} / {c.get('error', 0):,} |"
            )
    rows = results[0]["rows"] if results else ROWS
    size = results[0]["runs"][0]["bytes"] / 1024 / 1024 if results else 0
    return f"""{SECTION}

Figures from `bench/import_rate.py` (also run by `make bench`). A workbook of {rows:,} realistic
rows ({size:.1f} MB; one row in a hundred has a bad date) is imported for the Zhejiang CAST by
its editor as the pages do it: the background check (`importing.job_create`), then the
background save (`importing.job_save`), the task backend running in-process. The second run
imports the same references with other titles and summaries: every activity is updated, none is
added. Timed from the upload's bytes to the finished job; target: at most {TARGET_SECONDS} s for
check and save together.

- Date: {now:%Y-%m-%d %H:%M} (Asia/Shanghai)
- Machine: {machine()}
- Software: {versions()}
- Load average (1 min) before → after the measured runs: {"; ".join(loads) or "not recorded"}

| Database | Run | Check (s) | Save (s) | Total (s) | Rows/s | Created / updated / errors |
|---|---|---:|---:|---:|---:|---|
{chr(10).join(lines)}

How: the workbook is read with calamine, a row at a time; categories, sub-types, regions and
units are loaded once per file, the activities a chunk of 1,000 rows refers to in one query per
lead unit; each row passes the services' own checks in memory; each chunk is written in one
transaction: activities, co-organizers, history, one audit entry per activity. On PostgreSQL the
new rows go in with COPY (activity ids taken from the sequence first) and the updates are
COPied into a temporary table applied by one UPDATE; on SQLite a prepared statement runs for
each row. Search entries are upserted in bulk after the commit. The database server shares the
machine's two cores with the import (and with any other benchmark running: see the load).
Variables: `BENCH_IMPORT_ROWS`, `BENCH_IMPORT_PG_URL`, `BENCH_IMPORT_DATABASES`
("sqlite,postgresql"); `--no-write` prints the section instead.
"""


def write_section(text: str) -> None:
    """Put `text` in docs/PERFORMANCE.md in place of the old section (the others are kept).

    Between `<!-- import:start -->` and `<!-- import:end -->`: the markers `bench/run.py` keeps
    when it rewrites the file.
    """
    path = ROOT / "docs" / "PERFORMANCE.md"
    current = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n"
    block = f"\n{START}\n{text.rstrip()}\n{END}\n"
    if START in current and END in current:
        head, rest = current.split(START, 1)
        current = head.rstrip("\n") + "\n" + block + rest.split(END, 1)[1].lstrip("\n")
    else:
        current = current.rstrip("\n") + "\n" + block
    path.write_text(current, encoding="utf-8")


def main() -> None:
    results = []
    base = ROOT / "var" / "bench-import"
    base.mkdir(parents=True, exist_ok=True)
    sqlite = base / "import.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{sqlite}{suffix}").unlink(missing_ok=True)
    wanted = os.environ.get("BENCH_IMPORT_DATABASES", "sqlite,postgresql").split(",")
    targets = [("SQLite", f"sqlite:///{sqlite}")] if "sqlite" in wanted else []
    pg = _postgres_url() if "postgresql" in wanted else None
    if pg:
        targets.append(("PostgreSQL", pg))
    elif "postgresql" in wanted:
        print("PostgreSQL not available: skipped", flush=True)
    for name, url in targets:
        print(f"Excel import, {ROWS:,} rows, {name}…", flush=True)
        figures = _run_one(url, base)
        for run in figures["runs"]:
            print(
                f"  {run['kind']:<24} check {run['check_s']:5.1f} s  save {run['save_s']:5.1f} s"
                f"  total {run['total_s']:5.1f} s  {run['rows_per_s']:7,} rows/s",
                flush=True,
            )
        results.append(figures)
        kept = base / f"result-{figures['vendor']}.json"
        kept.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    if "--no-write" in sys.argv:
        print(_section(results))
        return
    write_section(_section(results))
    print("Written to docs/PERFORMANCE.md (section Excel import)")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    if "--measure" in sys.argv:
        print(json.dumps(measure()))
    else:
        main()
