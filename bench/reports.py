"""`make bench`, summary reports: the completeness board and the national compilation.

On a fresh SQLite database with the demo (`load_demo`): 3,000 units expected to report to one
receiving department (university, enterprise 科协 and national societies across the
provinces), 1,500 of them with a submitted and accepted report (some late), each with about
1,800 characters of narrative and one photo (JPEG, 2,400×1,800, one of a few generated ones
stored under each resource's own name), all bulk inserted. Then, in a worker process:

1. the board: server time of the completeness board of that department, the selector
   (`sciday.reports.board.board`) and the page (`/workspace/reports/board/`, Django test client,
   signed in as the department's reviewer), 50 iterations each after a warm-up; p50 and p95;
   The baseline, in the same run: `/healthz` through the same client (a bare view);
2. the compilation: `run_compilation` of a `CompilationJob` (DOCX, PDF parts rendered by child
   processes and joined by qpdf, XLSX, stored), its wall time and its peak memory: the resident
   set of the worker plus every descendant process, sampled every 50 ms from /proc. The
   baseline, in the same run: reducing the same photos alone (`ReducedPhotos`, the same
   threads), the part of the work no document format avoids.

Results go to the section "Summary reports" of docs/PERFORMANCE.md between
`<!-- reports:start -->` and `<!-- reports:end -->`.

    python bench/reports.py            # prepare, measure, write the section
    python bench/reports.py --no-write # print the section instead

Environment: BENCH_REPORT_UNITS (3,000), BENCH_REPORTS (1,500), BENCH_BOARD_ROUNDS (50).
"""

from __future__ import annotations

import io
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

UNITS = int(os.environ.get("BENCH_REPORT_UNITS", "3000"))
REPORTS = int(os.environ.get("BENCH_REPORTS", "1500"))
ROUNDS = int(os.environ.get("BENCH_BOARD_ROUNDS", "50"))
START, END = "<!-- reports:start -->", "<!-- reports:end -->"
TARGET_BOARD_MS, TARGET_SECONDS, TARGET_MB = 100, 60, 512
SEED = 20270630
PHRASES = [
    "本单位围绕科技工作者日主题，组织开展了院士进校园、科学家精神宣讲等系列活动。",
    "活动覆盖城乡社区和中小学校，线上直播吸引大量公众参与，社会反响良好。",
    "通过走访慰问老科学家，弘扬科学家精神，营造尊重知识、尊重人才的良好氛围。",
    "科技志愿者深入基层开展科普服务，累计服务时长显著增加。",
    "建议进一步加强经费保障，完善活动统计口径，推动活动常态化、品牌化。",
]


# --- Memory -------------------------------------------------------------------------------------


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _pss_kib(pid: int) -> int:
    """Proportional set size: shared pages (fonts, libraries) counted once across processes."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii", errors="replace") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _descendants(root: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        parents.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class Sampler:
    """The peak of the resident memory of this process and of all its descendants."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.peak_total = self.peak_self = self.peak_children = self.peak_pss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.is_set():
            own = _rss_kib(me)
            pids = _descendants(me)
            children = sum(_rss_kib(pid) for pid in pids)
            pss = _pss_kib(me) + sum(_pss_kib(pid) for pid in pids)
            self.peak_pss = max(self.peak_pss, pss)
            self.peak_self = max(self.peak_self, own)
            self.peak_children = max(self.peak_children, children)
            self.peak_total = max(self.peak_total, own + children)
            self._stop.wait(self.interval)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


# --- Data ---------------------------------------------------------------------------------------


def _photos(count: int = 8) -> list[bytes]:
    from PIL import Image, ImageDraw

    rng = random.Random(SEED)
    out = []
    for i in range(count):
        image = Image.new("RGB", (2400, 1800), (rng.randrange(256), 120, 200))
        draw = ImageDraw.Draw(image)
        for _ in range(400):  # shapes, so that the JPEG is not trivially small
            x, y = rng.randrange(2400), rng.randrange(1800)
            colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
            draw.ellipse((x, y, x + rng.randrange(20, 300), y + rng.randrange(20, 300)), colour)
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=88)
        out.append(buffer.getvalue())
        del i
    return out


def prepare() -> dict:
    """Bulk insert the units, expected reporters, reports and photos; return the ids."""
    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from sciday.accounts.models import Membership, Role
    from sciday.campaigns.selectors import campaign_current
    from sciday.orgs.models import Region, Unit, UnitKind
    from sciday.reports.models import ExpectedReporter, Report, Source, Status
    from sciday.resources.models import Processing, Resource

    rng = random.Random(SEED)
    campaign = campaign_current()
    assert campaign is not None, "the demo has no current campaign"
    routes = {r.unit_kind: r.department for r in campaign.routes.select_related("department")}
    department = routes[UnitKind.UNIVERSITY_CAST]
    kinds = [k for k in (UnitKind.UNIVERSITY_CAST, UnitKind.ENTERPRISE_CAST,
                         UnitKind.NATIONAL_SOCIETY) if routes.get(k) == department]  # fmt: skip
    parent = Unit.objects.get(path=department.path[: Unit.steplen])  # its root
    provinces = list(Region.objects.filter(level=Region.Level.PROVINCE))
    now = timezone.now()
    start = parent.numchild
    units = []
    for i in range(UNITS):
        kind = kinds[i % len(kinds)]
        region = None if kind == UnitKind.NATIONAL_SOCIETY else rng.choice(provinces)
        name = f"{region.name if region else '全国'}第{i + 1}号{kind.label}"
        units.append(
            Unit(
                name=name[:200],
                kind=kind,
                region=region,
                path=parent.path + Unit._int2str(start + i + 1).rjust(Unit.steplen, "0"),
                depth=parent.depth + 1,
                numchild=0,
                created_at=now,
                updated_at=now,
            )
        )
    Unit.objects.bulk_create(units, batch_size=1000)
    Unit.objects.filter(pk=parent.pk).update(numchild=start + UNITS)
    units = list(Unit.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
                 .order_by("-pk")[:UNITS])  # fmt: skip
    ExpectedReporter.objects.bulk_create(
        [
            ExpectedReporter(campaign=campaign, unit=u, department=department, source=Source.ADDED)
            for u in units
        ],
        batch_size=1000,
    )
    images = _photos()
    stored = [default_storage.save(f"bench/photo{i}.jpg", ContentFile(d)) for i, d in
              enumerate(images)]  # fmt: skip
    resources = []
    for i, unit in enumerate(units[:REPORTS]):
        name = f"bench/report-photo-{i}.jpg"
        source = default_storage.path(stored[i % len(stored)])
        target = Path(default_storage.path(name))
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(source, target)  # its own name, the same bytes
        resources.append(
            Resource(
                kind="photo",
                campaign=campaign,
                unit=unit,
                title=f"{unit.name} 活动照片",
                attribution="摄影 张三",
                people_consent=True,
                status="published",
                processing=Processing.DONE,
                file=name,
                mime_type="image/jpeg",
                size=len(images[i % len(images)]),
            )
        )
    Resource.objects.bulk_create(resources, batch_size=500)
    resources = list(Resource.objects.filter(file__startswith="bench/report-photo-")
                     .order_by("pk"))  # fmt: skip
    submitted = now - timedelta(days=3)
    reports = []
    for i, unit in enumerate(units[:REPORTS]):
        text = "".join(rng.choice(PHRASES) for _ in range(12))
        reports.append(
            Report(
                campaign=campaign,
                unit=unit,
                department=department,
                status=Status.ACCEPTED,
                is_late=i % 10 == 0,
                submitted_at=submitted,
                last_submitted_at=submitted,
                figures={
                    "participants": rng.randrange(100, 50000),
                    "online_reach": rng.randrange(1000, 900000),
                    "volunteers": rng.randrange(5, 500),
                    "volunteer_hours": rng.randrange(10, 5000) / 2,
                    "media_reports": rng.randrange(0, 80),
                },
                overview=text[:700],
                highlights=text[700:1300],
                problems=text[1300:1800],
            )
        )
    Report.objects.bulk_create(reports, batch_size=500)
    reports = list(Report.objects.filter(campaign=campaign, unit__in=units).order_by("pk"))
    through = Report.resources.through
    through.objects.bulk_create(
        [through(report_id=r.pk, resource_id=p.pk) for r, p in zip(reports, resources,
                                                                    strict=True)],
        batch_size=1000,
    )  # fmt: skip
    user = get_user_model().objects.create(
        email="bench-reviewer@example.cn", name="汇编审核员", password_changed_at=now
    )
    Membership.objects.create(user=user, unit=department, role=Role.DEPARTMENT_REVIEWER)
    return {"campaign": campaign.pk, "department": department.pk, "user": user.pk}


# --- Measures -----------------------------------------------------------------------------------


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure_board(ids: dict) -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from sciday.campaigns.models import Campaign
    from sciday.orgs.models import Unit

    user = get_user_model().objects.get(pk=ids["user"])
    campaign = Campaign.objects.get(pk=ids["campaign"])
    department = Unit.objects.get(pk=ids["department"])
    result: dict = {}
    try:
        from sciday.reports import board as board_module
    except ImportError:  # the board not written yet: the page only
        board_module = None  # type: ignore[assignment]
    if board_module is not None:
        board = board_module.board
        times = []
        for i in range(ROUNDS + 3):
            started = time.perf_counter()
            board(viewer=user, campaign=campaign, department=department)
            if i >= 3:
                times.append((time.perf_counter() - started) * 1000)
        result["selector"] = {"p50": statistics.median(times), "p95": _percentile(times, 0.95)}
    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.get_or_create(user=user, name="bench", confirmed=True)[0]
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    url = f"/workspace/reports/board/?campaign={campaign.pk}&department={department.pk}"
    times = []
    for i in range(ROUNDS + 3):
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.status_code
        if i >= 3:
            times.append(elapsed)
    result["page"] = {"p50": statistics.median(times), "p95": _percentile(times, 0.95)}
    times = []
    for i in range(ROUNDS + 3):
        started = time.perf_counter()
        response = client.get("/healthz")
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.status_code
        if i >= 3:
            times.append(elapsed)
    result["baseline"] = {"p50": statistics.median(times), "p95": _percentile(times, 0.95)}
    return result


def measure_photos(ids: dict) -> float:
    """Seconds to reduce the compilation's photos alone, as the compilation does."""
    import tempfile

    from sciday.campaigns.models import Campaign
    from sciday.orgs.models import Unit
    from sciday.reports.compilation import ReducedPhotos, compilation_from_reports

    data = compilation_from_reports(
        Campaign.objects.get(pk=ids["campaign"]), Unit.objects.get(pk=ids["department"])
    )
    with tempfile.TemporaryDirectory(prefix="bench-photos-") as tmp:
        started = time.perf_counter()
        photos = ReducedPhotos(data, Path(tmp))
        for index in range(len(data.chapters)):
            photos.get(index)
        photos.close()
        return time.perf_counter() - started


def measure_compilation(ids: dict) -> dict:
    from django.core.files.storage import default_storage

    from sciday.reports.models import CompilationJob
    from sciday.reports.tasks_compilation import run_compilation

    job = CompilationJob.objects.create(
        campaign_id=ids["campaign"], department_id=ids["department"], requested_by_id=ids["user"]
    )
    with Sampler() as sampler:
        started = time.perf_counter()
        run_compilation(job.pk)
        seconds = time.perf_counter() - started
    job.refresh_from_db()
    sizes = {f: default_storage.size(getattr(job, f)) for f in ("docx", "pdf", "xlsx")
             if getattr(job, f)}  # fmt: skip
    pages = 0
    if job.pdf:
        import pypdfium2

        document = pypdfium2.PdfDocument(default_storage.path(job.pdf))
        pages = len(document)
        document.close()
    return {
        "status": job.status,
        "error": job.error,
        "reports": job.reports,
        "seconds": seconds,
        "peak_mb": sampler.peak_total / 1024,
        "peak_self_mb": sampler.peak_self / 1024,
        "peak_children_mb": sampler.peak_children / 1024,
        "peak_pss_mb": sampler.peak_pss / 1024,
        "sizes_mb": {k: v / 1024 / 1024 for k, v in sizes.items()},
        "pages": pages,
    }


def worker(out: Path) -> None:
    import django

    django.setup()
    started = time.perf_counter()
    ids = prepare()
    prepared = time.perf_counter() - started
    print(f"  data inserted in {prepared:.0f} s", flush=True)
    board = measure_board(ids)
    print(f"  board: {json.dumps(board)}", flush=True)
    compilation = measure_compilation(ids)
    print(f"  compilation: {json.dumps(compilation)}", flush=True)
    compilation["photos_s"] = measure_photos(ids)
    print(f"  photos alone: {compilation['photos_s']:.1f} s", flush=True)
    out.write_text(
        json.dumps({"prepare_s": prepared, "board": board, "compilation": compilation}),
        encoding="utf-8",
    )


# --- Report -------------------------------------------------------------------------------------


def _verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def section(result: dict) -> str:
    board, comp = result["board"], result["compilation"]
    cpus = os.cpu_count()
    page = board["page"]
    lines = [
        "## Summary reports",
        "",
        f"`bench/reports.py`, SQLite, {cpus} CPUs: {UNITS:,} units expected to report to one "
        f"department, {REPORTS:,} submitted and accepted reports, one photo each (JPEG "
        "2,400×1,800) and ~1,800 characters of narrative; bulk inserted in "
        f"{result['prepare_s']:.0f} s.",
        "",
        "| Measure | Result | Target | |",
        "|---|---|---|---|",
    ]
    if "selector" in board:
        sel = board["selector"]
        lines.append(
            f"| Board selector `board(...)`, p50 / p95 ({ROUNDS} runs) | "
            f"{sel['p50']:.1f} / {sel['p95']:.1f} ms | — | |"
        )
    lines.append(
        f"| Board page (selector + template, Django test client), p50 / p95 | "
        f"{page['p50']:.1f} / {page['p95']:.1f} ms | ≤ {TARGET_BOARD_MS} ms p95 | "
        f"{_verdict(page['p95'] <= TARGET_BOARD_MS)} |"
    )
    if "baseline" in board:
        base = board["baseline"]
        lines.append(
            f"| Baseline `/healthz` (same client), p50 / p95; ratio board : baseline (p50) | "
            f"{base['p50']:.1f} / {base['p95']:.1f} ms; "
            f"{page['p50'] / max(base['p50'], 0.001):.1f}× | — | |"
        )
    ok_time = comp["status"] == "done" and comp["seconds"] <= TARGET_SECONDS
    lines.append(
        f"| Compilation of {comp['reports']:,} reports (DOCX + PDF + XLSX, stored) | "
        f"{comp['seconds']:.1f} s | ≤ {TARGET_SECONDS} s | {_verdict(ok_time)} |"
    )
    if "photos_s" in comp:
        lines.append(
            f"| Baseline: the same photos reduced alone; ratio compilation : baseline | "
            f"{comp['photos_s']:.1f} s; {comp['seconds'] / max(comp['photos_s'], 0.001):.1f}× "
            "| — | |"
        )
    lines.append(
        f"| Peak memory (worker + its child processes, resident) | {comp['peak_mb']:.0f} MB "
        f"(worker {comp['peak_self_mb']:.0f}, children {comp['peak_children_mb']:.0f}) | "
        f"< {TARGET_MB} MB | {_verdict(comp['peak_mb'] < TARGET_MB)} |"
    )
    lines.append(
        f"| Peak memory, proportional (PSS: shared pages such as fonts counted once) | "
        f"{comp['peak_pss_mb']:.0f} MB | < {TARGET_MB} MB | "
        f"{_verdict(comp['peak_pss_mb'] < TARGET_MB)} |"
    )
    sizes = ", ".join(f"{k.upper()} {v:.0f} MB" for k, v in comp["sizes_mb"].items())
    lines += [
        "",
        f"Compilation status: {comp['status']}{' — ' + comp['error'] if comp['error'] else ''}; "
        f"{comp['pages']:,} PDF pages; {sizes}.",
        "One pass over the chapters feeds both documents. Photos are reduced ahead by "
        f"{_constant('PHOTO_THREADS')} threads to {_constant('PHOTO_MAX_PX')} px JPEG files "
        "that both use as they are. The DOCX is python-docx in batches of "
        f"{_constant('DOCX_BATCH', 'compilation_docx')} chapters, each batch's body streamed "
        "into the package. The PDF is fpdf2 in parts of "
        f"{_constant('PDF_BATCH', 'compilation_pdf')} chapters, each rendered by a child "
        "process while the worker goes on, joined by qpdf. Peak memory is sampled every 50 ms "
        "(the worker's RSS plus its descendants'). Before (LibreOffice converting the DOCX in "
        "parts of 60 chapters, the whole DOCX built in one python-docx tree): 123 s and 675 MB; "
        "before that (parts of 250 chapters, 1,600 px photos): 236 s and 1,932 MB.",
    ]
    return "\n".join(lines) + "\n"


def _constant(name: str, module: str = "compilation") -> str:
    """A module constant of sciday/reports/<module>.py, read from its source (no Django)."""
    source = (ROOT / "sciday" / "reports" / f"{module}.py").read_text(encoding="utf-8")
    match = re.search(rf"^{name} = (\d+)", source, flags=re.M)
    return match.group(1) if match else "?"


def write_section(text: str) -> None:
    """Put `text` in docs/PERFORMANCE.md in place of the old section (the others are kept)."""
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
    started = time.monotonic()
    var = ROOT / "var" / "bench-reports"
    if var.exists():
        shutil.rmtree(var)
    var.mkdir(parents=True)
    env = {
        **os.environ,
        "SCIDAY_VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'db.sqlite3'}",
        "MEDIA_ROOT": str(var / "media"),
        "REDIS_URL": "",
        "S3_BUCKET": "",
        "DEBUG": "false",
        "LOG_LEVEL": "ERROR",
        "PYTHONWARNINGS": "ignore",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    print("Summary reports: preparing a fresh database with the demo…", flush=True)
    for args in (["migrate", "--noinput", "-v", "0"], ["load_demo", "--quiet"]):
        subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)
    out = var / "result.json"
    subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--worker", str(out)],
        cwd=ROOT,
        env=env,
        check=True,
    )
    result = json.loads(out.read_text(encoding="utf-8"))
    text = section(result)
    shutil.rmtree(var / "media", ignore_errors=True)
    print(f"Summary reports part: {time.monotonic() - started:.0f} s", flush=True)
    if "--no-write" in sys.argv:
        print(text)
        return
    write_section(text)
    print("Written to docs/PERFORMANCE.md (section Summary reports)")


if __name__ == "__main__":
    if "--worker" in sys.argv:
        worker(Path(sys.argv[sys.argv.index("--worker") + 1]))
    else:
        main()
