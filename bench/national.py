"""`make bench`, national scale: search and the filtered list page over a million activities.

Generates (once, then cached) a national data set: 3,000 organizing units under the seeded
provincial 科协, 1,000,000 activities of the next campaign with Chinese titles and descriptions
composed from word lists typical of 全国科技工作者日 activities, skewed across provinces
(Zipf-like) and dates (around 30 May), mostly published; and their search index entries, with
tokens from the real analyzer (`sciday.search.analyzer`), the FTS5 table (SQLite) or the
tsvector column and GIN index (PostgreSQL) built on top. Then, on SQLite and on PostgreSQL:

1. search: server time of a fixed mix of queries through `sciday.search.selectors.search`
   (what /search/ calls) and through the /search/ view (Django test client, in process);
2. the filtered /activities/ list page: throughput (gunicorn + wrk) as a ratio to
   /bench/rows, a bare page rendering 30 rows from the same database in the same run.

    python bench/national.py                 # both databases, prints and returns the figures
    python bench/national.py worker OUT.json # (internal) one database, from DATABASE_URL

Environment: BENCH_ACTIVITIES (default 1,000,000), BENCH_UNITS (3,000), BENCH_SEARCH_ROUNDS
(timed passes over the query mix, default 10), BENCH_LIST_SECONDS (per wrk measurement, 5),
BENCH_DATABASES ("sqlite,postgresql"), BENCH_PG_DB (sciday_bench).
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GENERATOR_VERSION = "national-4"
ACTIVITIES = int(os.environ.get("BENCH_ACTIVITIES", "1000000"))
UNITS = int(os.environ.get("BENCH_UNITS", "3000"))
SEARCH_ROUNDS = int(os.environ.get("BENCH_SEARCH_ROUNDS", "10"))
LIST_SECONDS = int(os.environ.get("BENCH_LIST_SECONDS", "5"))
DATABASES = os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",")
# One cached database per size, so that a quick run does not throw the national one away.
_SIZE = "" if (ACTIVITIES, UNITS) == (1_000_000, 3000) else f"_{ACTIVITIES}_{UNITS}"
PG_DB = os.environ.get("BENCH_PG_DB", f"sciday_bench{_SIZE}")
SEED = 20270530
MARKER = "bench_national_marker"
TZ = ZoneInfo("Asia/Shanghai")

# --- Word lists ---------------------------------------------------------------------------------

# Relative weight of each province (code prefix): a Zipf-like skew, the big provinces first.
PROVINCE_RANK = [
    "44", "33", "32", "11", "37", "31", "51", "42", "41", "43", "34", "35", "13", "61", "36",
    "50", "53", "21", "12", "45", "14", "52", "22", "23", "15", "62", "65", "46", "64", "63", "54",
]  # fmt: skip
PROVINCE_WEIGHT = {code: 1.0 / (rank + 1) ** 0.9 for rank, code in enumerate(PROVINCE_RANK)}

THEMES = [
    "院士进校园", "科学家精神宣讲", "科普进社区", "人工智能科普", "乡村振兴科技助力",
    "青少年科学梦", "航天科普", "碳达峰碳中和", "科技工作者之家", "科技志愿服务",
    "生物多样性保护", "防灾减灾科普", "健康中国科普", "科技创新成果展", "老科学家风采",
    "科学家故事会", "科研诚信与学风建设", "数字中国", "智能制造", "海洋科普",
    "天文观测", "气象科普", "地质科普", "农业技术推广", "中医药文化", "应急安全",
    "工程师精神", "女科技工作者风采", "青年科技人才", "科技馆奇妙夜", "AI与未来",
    "新能源汽车", "量子科技", "芯片与集成电路", "5G应用", "大数据与云计算",
]  # fmt: skip
FORMS = [
    "报告会", "讲座", "座谈会", "展览", "开放日", "研学活动", "沙龙", "论坛", "宣讲会",
    "直播", "主题活动", "交流会", "知识竞赛", "体验营", "义诊", "培训班", "巡展", "演讲比赛",
]  # fmt: skip
PEOPLE = [
    "院士", "科学家", "科技工作者", "青少年", "中小学生", "大学生", "社区居民", "农民朋友",
    "企业职工", "老年人", "青年科研人员", "教师", "医务工作者", "工程师",
]  # fmt: skip
SENTENCES = [
    "{unit}联合{place}各界开展{theme}{form}",
    "邀请{people}代表走进{place}，与{people2}面对面交流",
    "弘扬科学家精神，激发科技报国的家国情怀和使命担当",
    "活动围绕{theme}主题，设置专题报告、互动体验和成果展示等环节",
    "{people}讲述科研经历和创新故事，分享科技工作者的初心与坚守",
    "组织{people2}参观科普展品，体验人工智能、航天和新能源等前沿科技",
    "现场设置科普咨询台，发放科普读物和宣传资料",
    "通过线上直播同步开展，扩大活动覆盖面和影响力",
    "助力乡村振兴，把科技服务送到田间地头",
    "营造尊重知识、尊重人才、尊重创造的良好氛围",
    "表彰{place}优秀科技工作者，宣传先进典型事迹",
    "面向{people2}普及{theme}相关科学知识，提升公民科学素质",
    "开展科技志愿服务，组织专家为群众答疑解惑",
    "举办青少年科学实验秀和科普剧表演",
    "座谈会听取一线科技工作者意见建议，推动解决实际困难",
    "发布{place}科普资源清单，推动优质资源共建共享",
]  # fmt: skip
UNIVERSITY = ["理工", "师范", "农业", "医科", "科技", "工业", "交通", "财经", "海洋", "电子"]
ENTERPRISE = ["能源", "建设", "电力", "化工", "钢铁", "汽车", "通信", "制药", "水务", "机械"]
AUDIENCE = ["公众", "青少年", "科技工作者", "中小学生", "社区居民", "高校师生", "企业职工"]
# Shares of the statuses, and of the formats.
STATUSES = [
    ("published", 82),
    ("cancelled", 3),
    ("draft", 7),
    ("submitted", 5),
    ("returned", 3),
]
FORMATS = [("offline", 70), ("online", 15), ("hybrid", 15)]
PUBLIC = {"published", "cancelled", "finished"}

# A fixed mix of searches: (label, query, province filter or None).
QUERIES = [
    ("two characters", "科普", None),
    ("two characters", "院士", None),
    ("two characters", "讲座", None),
    ("phrase", "科学家精神", None),
    ("phrase", "乡村振兴科技助力", None),
    ("two words", "人工智能 青少年", None),
    ("Latin", "AI", None),
    ("Latin + Han", "5G应用", None),
    ("with province", "科普", "440000"),
    ("with province", "院士", "540000"),
    ("with province", "座谈会", "330000"),
    ("nothing", "蟹黄汤包", None),
]


# --- Generation ---------------------------------------------------------------------------------


def _weighted(rng: random.Random, pairs: list[tuple[str, int]]):
    values, weights = zip(*pairs, strict=True)
    return lambda: rng.choices(values, weights)[0]


def _base36(n: int, width: int = 4) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = digits[r] + out
    return out.rjust(width, "0")


def _marker_ok(connection) -> bool:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        if MARKER not in tables:
            return False
        cursor.execute(f"SELECT version, activities, units FROM {MARKER}")  # noqa: S608
        row = cursor.fetchone()
    return row is not None and tuple(row) == (GENERATOR_VERSION, ACTIVITIES, UNITS)


def _campaign():
    """The next campaign (its 30 May still ahead), a copy of the seeded one, made current."""
    from sciday.campaigns.models import Campaign

    current = Campaign.objects.get(is_current=True)
    today = datetime.now(TZ).date()
    year = today.year + (1 if today >= date(today.year, 5, 30) else 0)
    if current.year == year:
        return current
    shift = date(year, 5, 30) - current.day
    categories = list(current.categories.prefetch_related("subtypes").order_by("number"))
    Campaign.objects.filter(is_current=True).update(is_current=False)
    new = Campaign.objects.get(pk=current.pk)
    new.pk = None
    new.year = year
    new.edition = (current.edition or 0) + (year - current.year)
    new.name = current.name.replace(str(current.year), str(year))
    for name in ("window_start", "window_end", "day", "awards_from", "awards_until", "issue_date"):
        value = getattr(new, name)
        if value is not None:
            setattr(new, name, value + shift)
    new.report_deadline = current.report_deadline + shift
    new.printed_on = current.printed_on + shift if current.printed_on else None
    new.is_current = True
    new.save()
    for category in categories:
        subtypes = list(category.subtypes.all())
        category.pk = None
        category.campaign = new
        category.save()
        for subtype in subtypes:
            subtype.pk = None
            subtype.category = category
            subtype.save()
    return new


def _units(rng: random.Random) -> list[tuple[int, str, str, str]]:
    """Create the units; return (id, name, province prefix, region code) of every lead unit."""
    from sciday.orgs.models import Region, Unit, UnitKind

    provincial = {u.region_id[:2]: u for u in Unit.objects.filter(kind=UnitKind.PROVINCIAL_CAST)}
    cities: dict[str, list[Region]] = {}
    for region in Region.objects.filter(level=Region.Level.PREFECTURE):
        if region.name not in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
            cities.setdefault(region.code[:2], []).append(region)
    provinces = {r.code[:2]: r for r in Region.objects.filter(level=Region.Level.PROVINCE)}
    codes = [c for c in PROVINCE_RANK if c in provincial]
    weights = [PROVINCE_WEIGHT[c] for c in codes]
    now = datetime.now(UTC)
    children: dict[str, int] = {}
    new_units = []
    for i in range(UNITS):
        prefix = rng.choices(codes, weights)[0]
        parent = provincial[prefix]
        city = rng.choice(cities.get(prefix) or [provinces[prefix]])
        short = city.name.removesuffix("市")
        kind = rng.choices(
            [UnitKind.LOCAL_CAST, UnitKind.UNIVERSITY_CAST, UnitKind.ENTERPRISE_CAST], [6, 2, 2]
        )[0]
        if kind == UnitKind.LOCAL_CAST:
            name = f"{city.name}{'第' + str(i % 7 + 1) + '区' if i % 3 else ''}科学技术协会"
        elif kind == UnitKind.UNIVERSITY_CAST:
            name = f"{short}{rng.choice(UNIVERSITY)}大学科学技术协会"
        else:
            name = f"{short}{rng.choice(ENTERPRISE)}集团有限公司科学技术协会"
        n = children.get(parent.path, parent.numchild) + 1
        children[parent.path] = n
        new_units.append(
            Unit(
                name=name,
                kind=kind,
                region_id=city.code,
                path=parent.path + _base36(n),
                depth=parent.depth + 1,
                numchild=0,
                created_at=now,
                updated_at=now,
            )
        )
    Unit.objects.bulk_create(new_units, batch_size=1000)
    for path, n in children.items():
        Unit.objects.filter(path=path).update(numchild=n)
    leads = [
        (u.pk, u.name, u.region_id[:2], u.region_id)
        for u in Unit.objects.filter(depth__gte=2).exclude(region=None)
    ]
    return leads


class Composer:
    """Titles, descriptions and their analyzed tokens; sentence tokens are cached."""

    def __init__(self, rng: random.Random):
        from sciday.search import analyzer

        self.rng = rng
        self.analyzer = analyzer
        self._cache: dict[str, str] = {}

    def terms(self, text: str) -> str:
        cached = self._cache.get(text)
        if cached is None:
            cached = self.analyzer.terms_text(text)
            if len(self._cache) < 2_000_000:
                self._cache[text] = cached
        return cached

    def title(self, place: str, theme: str, form: str, year: int) -> str:
        r = self.rng.random()
        if r < 0.35:
            return f"{place}“{theme}”{form}"
        if r < 0.6:
            return f"{year}年{place}全国科技工作者日{theme}{form}"
        if r < 0.8:
            return f"“{theme}”主题{form}走进{place}"
        return f"{place}{theme}{form}（第{self.rng.randint(1, 30)}期）"

    def sentences(self, unit: str, place: str, theme: str, form: str) -> list[str]:
        rng = self.rng
        chosen = [SENTENCES[0], *rng.sample(SENTENCES[1:], rng.randint(2, 4))]
        return [
            s.format(
                unit=unit,
                place=place,
                theme=theme,
                form=form,
                people=rng.choice(PEOPLE),
                people2=rng.choice(PEOPLE),
            )
            for s in chosen
        ]


def _window_datetime(rng: random.Random, campaign) -> tuple[datetime, datetime]:
    start, end, day = campaign.window_start, campaign.window_end, campaign.day
    span = (end - start).days
    while True:  # Laplace around the Day: half of the activities within ±3 days of it
        offset = round(rng.expovariate(1 / 4.5)) * (1 if rng.random() < 0.45 else -1)
        if 0 <= (day - start).days + offset <= span:
            break
    d = day + timedelta(days=offset)
    starts = datetime(d.year, d.month, d.day, rng.choice([9, 9, 10, 14, 14, 15, 19]), 0, tzinfo=TZ)
    ends = starts + timedelta(hours=rng.choice([1, 2, 2, 3, 4, 48]))
    return starts.astimezone(UTC), ends.astimezone(UTC)


def generate() -> dict:
    """Build the national data set into the database of DATABASE_URL (already migrated)."""
    import django

    django.setup()
    from django.db import connection, transaction

    from sciday.activities.models import Activity
    from sciday.orgs.models import Region
    from sciday.search import backends
    from sciday.search.models import SearchEntry

    if _marker_ok(connection):
        return {"generated": False, "seconds": 0.0}
    started = time.monotonic()
    rng = random.Random(SEED)
    pg = connection.vendor == "postgresql"
    with transaction.atomic():
        campaign = _campaign()
        leads = _units(rng)
    categories = list(campaign.categories.values_list("pk", "name"))
    region_names = dict(Region.objects.values_list("code", "name"))
    by_province: dict[str, list] = {}
    for lead in leads:
        by_province.setdefault(lead[2], []).append(lead)
    codes = [c for c in PROVINCE_RANK if c in by_province]
    weights = [PROVINCE_WEIGHT[c] for c in codes]
    status_of = _weighted(rng, STATUSES)
    format_of = _weighted(rng, FORMATS)
    composer = Composer(rng)
    now = datetime.now(UTC)

    act_fields = [f for f in Activity._meta.concrete_fields]
    act_columns = [f.column for f in act_fields]
    # Columns this generator does not know (added later) take the field's default.
    defaults = {f.column: f.get_default() for f in act_fields}
    entry_fields = [f for f in SearchEntry._meta.concrete_fields]
    entry_columns = [f.column for f in entry_fields]
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM activities_activity")
        first_id = cursor.fetchone()[0] + 1

    backends.remove(connection)  # rebuilt once at the end: faster than row by row
    if not pg:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
    batch = 50_000
    done = 0
    while done < ACTIVITIES:
        activities, entries = [], []
        for i in range(done, min(done + batch, ACTIVITIES)):
            pk = first_id + i
            prefix = rng.choices(codes, weights)[0]
            unit_id, unit_name, _, unit_region = rng.choice(by_province[prefix])
            place = region_names[unit_region]
            theme, form = rng.choice(THEMES), rng.choice(FORMS)
            title = composer.title(place, theme, form, campaign.year)
            sentences = composer.sentences(unit_name, place, theme, form)
            summary = sentences[0] + "。"
            body = "<p>" + "。".join(sentences[1:]) + "。</p>"  # as richtext_clean stores it
            status, fmt = status_of(), format_of()
            category_id, category_name = rng.choice(categories)
            starts, ends = _window_datetime(rng, campaign)
            audience = rng.choice(AUDIENCE)
            region_id = None if fmt == "online" else unit_region
            signup = rng.random() < 0.5
            row = {
                "id": pk,
                "campaign_id": campaign.pk,
                "lead_unit_id": unit_id,
                "title": title,
                "summary": summary,
                "body": body,
                "category_id": category_id,
                "subtype_id": None,
                "format": fmt,
                "starts_at": starts,
                "ends_at": ends,
                "region_id": region_id,
                "province": f"{unit_region[:2]}0000",
                "address": f"{place}科技馆" if region_id else "",
                "online_url": "https://live.example.cn/" + str(pk) if fmt != "offline" else "",
                "venue_id": None,
                "audience": audience,
                "capacity": rng.choice([50, 100, 200, 500]) if signup else None,
                "signup_required": signup,
                "expected_participants": rng.randint(20, 2000),
                "actual_participants": None,
                "online_views": None,
                "status": status,
                "return_reason": "请补充活动地点" if status == "returned" else "",
                "cancel_reason": "因天气原因取消" if status == "cancelled" else "",
                "window_override": False,
                "region_override": False,
                "reference": "",
                "created_by_id": None,
                "decided_by_id": None,
                "submitted_at": now if status != "draft" else None,
                "published_at": now if status in PUBLIC else None,
                "created_at": now,
                "updated_at": now,
            }
            activities.append(tuple(row.get(c, defaults.get(c)) for c in act_columns))
            if status in PUBLIC:
                index_parts = [*sentences, unit_name, place, category_name, audience]
                entry = {
                    "kind": "activities.activity",
                    "object_id": pk,
                    "title": title,
                    "body": "\n".join(index_parts),
                    "title_terms": composer.analyzer.terms_text(title),
                    "body_terms": " ".join(composer.terms(p) for p in index_parts),
                    "campaign_id": campaign.pk,
                    "region_code": unit_region[:2] + "0000",
                    "published": True,
                    "updated_at": now,
                }
                entries.append(tuple(entry.get(c) for c in entry_columns if c != "id"))
        _insert(connection, "activities_activity", act_columns, activities)
        _insert(connection, "search_searchentry", [c for c in entry_columns if c != "id"], entries)
        done += len(activities)
        print(f"  {done:,} activities ({time.monotonic() - started:.0f} s)", flush=True)
    print("  building the full-text index…", flush=True)
    with connection.cursor() as cursor:
        if pg:
            cursor.execute("SET maintenance_work_mem = '1GB'")
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('activities_activity', 'id'), "
                "(SELECT MAX(id) FROM activities_activity))"
            )
    backends.install(connection)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute(f"DROP TABLE IF EXISTS {MARKER}")
        cursor.execute(f"CREATE TABLE {MARKER} (version varchar(40), activities int, units int)")
        cursor.execute(
            f"INSERT INTO {MARKER} VALUES (%s, %s, %s)",  # noqa: S608
            [GENERATOR_VERSION, ACTIVITIES, UNITS],
        )
    if pg:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE activities_activity")
            cursor.execute("VACUUM ANALYZE search_searchentry")
    return {"generated": True, "seconds": time.monotonic() - started}


def _insert(connection, table: str, columns: list[str], rows: list[tuple]) -> None:
    if not rows:
        return
    cols = ", ".join(columns)
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        raw = connection.connection
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        raw.commit()
        return
    marks = ", ".join(["?"] * len(columns))
    adapted = [
        tuple(v.replace(tzinfo=None).isoformat(" ") if isinstance(v, datetime) else v for v in row)
        for row in rows
    ]
    connection.ensure_connection()
    raw = connection.connection
    raw.execute("BEGIN")
    raw.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", adapted)  # noqa: S608
    raw.execute("COMMIT")


# --- Search timings -----------------------------------------------------------------------------


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def time_search() -> dict:
    from django.db import connection, reset_queries
    from django.test import Client, override_settings

    from sciday.search.selectors import search

    kinds = ["activities.activity"]
    per_query: dict[str, dict] = {}
    selector_all: list[float] = []
    view_all: list[float] = []
    client = Client()
    for label, q, province in QUERIES:
        filters = {"region_code": province} if province else None
        key = f"{q}" + (f" · {province}" if province else "")
        times, view_times = [], []
        results = search(q=q, kind=kinds, filters=filters, limit=20)  # warm up
        for _ in range(SEARCH_ROUNDS):
            t = time.perf_counter()
            results = search(q=q, kind=kinds, filters=filters, limit=20)
            times.append((time.perf_counter() - t) * 1000)
        if province is None:
            # The page itself, not the anonymous page cache's copy of it.
            with override_settings(PUBLIC_PAGE_CACHE_SECONDS=0):
                client.get("/search/", {"q": q})
                for _ in range(SEARCH_ROUNDS):
                    t = time.perf_counter()
                    response = client.get("/search/", {"q": q})
                    view_times.append((time.perf_counter() - t) * 1000)
                    assert response.status_code == 200 and "X-Sciday-Cache" not in response
        reset_queries()
        selector_all += times
        view_all += view_times
        per_query[key] = {
            "label": label,
            "total": results.total,
            "total_capped": getattr(results, "capped", False),
            "median_ms": statistics.median(times),
            "max_ms": max(times),
            "view_median_ms": statistics.median(view_times) if view_times else None,
        }
    return {
        "vendor": connection.vendor,
        "per_query": per_query,
        "selector_p50": _percentile(selector_all, 50),
        "selector_p95": _percentile(selector_all, 95),
        "view_p50": _percentile(view_all, 50),
        "view_p95": _percentile(view_all, 95),
        "samples": len(selector_all),
    }


def list_urls() -> dict[str, str]:
    """The list page's filter combo: the busiest province, a category, open for sign-up."""
    from sciday.campaigns.models import Campaign

    category = Campaign.objects.get(is_current=True).categories.order_by("number").first()
    combo = f"province=440000&category={category.pk}&open=1"
    return {
        "bare": "/bench/rows",
        "list p1": f"/activities/?{combo}",
        "list p40": f"/activities/?{combo}&page=40",
        "list unfiltered p1": "/activities/",
    }


def worker(out: Path) -> None:
    generation = generate()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM activities_activity")
        activities = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM search_searchentry")
        entries = cursor.fetchone()[0]
    result = {
        "generation": generation,
        "activities": activities,
        "entries": entries,
        "search": time_search(),
        "urls": list_urls(),
    }
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")


# --- Orchestration ------------------------------------------------------------------------------


def _pg_url() -> str:
    url = (
        subprocess.run(
            [str(ROOT / "scripts" / "postgres.sh"), "start"],
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    base = url.rsplit("/", 1)[0]
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [PG_DB]).fetchone():
            conn.execute(f'CREATE DATABASE "{PG_DB}"')
    return f"{base}/{PG_DB}"


def _cached(vendor: str, url: str) -> bool:
    """Whether the database holds a complete data set of this generator version and size."""
    query = f"SELECT version, activities, units FROM {MARKER}"  # noqa: S608
    expected = (GENERATOR_VERSION, ACTIVITIES, UNITS)
    try:
        if vendor == "sqlite":
            import sqlite3

            path = url.removeprefix("sqlite:///")
            if not Path(path).exists():
                return False
            with sqlite3.connect(path) as conn:
                return tuple(conn.execute(query).fetchone() or ()) == expected
        import psycopg

        with psycopg.connect(url) as conn:
            return tuple(conn.execute(query).fetchone() or ()) == expected
    except Exception:  # no marker table: not cached
        return False


def _fresh(vendor: str, url: str) -> None:
    """Drop a database without a complete data set (a partial or older generation)."""
    if vendor == "sqlite":
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(url.rsplit("/", 1)[0] + "/sciday", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{PG_DB}"')


def database_env(vendor: str) -> dict:
    var = ROOT / "var" / "bench-national"
    var.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{var / f'national{_SIZE}.sqlite3'}" if vendor == "sqlite" else _pg_url()
    if not _cached(vendor, url):
        _fresh(vendor, url)
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SCIDAY_VAR_DIR": str(var),
        "DATABASE_URL": url,
        "REDIS_URL": "",
        "DEBUG": "false",
        "BENCH_HELLO": "true",
        "LOG_LEVEL": "ERROR",
        "PYTHONWARNINGS": "ignore",
    }


def run_database(vendor: str, measure_list) -> dict:
    """Migrate, generate if needed, time the searches, then load the list page."""
    env = database_env(vendor)
    print(f"National scale on {vendor}: migrate, generate if needed, time searches…", flush=True)
    for args in (["migrate", "--noinput", "-v", "0"], ["collectstatic", "--noinput", "-v", "0"]):
        subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)
    out = Path(env["SCIDAY_VAR_DIR"]) / f"result-{vendor}.json"
    started = time.monotonic()
    subprocess.run([sys.executable, __file__, "worker", str(out)], cwd=ROOT, env=env, check=True)
    result = json.loads(out.read_text(encoding="utf-8"))
    result["worker_seconds"] = time.monotonic() - started
    # As served (anonymous visitors share a cached copy of a page for a minute), then with the
    # page cache off: what every miss costs, i.e. the page's own queries and rendering.
    result["list"] = measure_list(env, result["urls"])
    uncached = {**env, "PUBLIC_PAGE_CACHE_SECONDS": "0"}
    result["list_uncached"] = measure_list(uncached, result["urls"])
    return result


def main() -> dict:
    from bench import run as bench_run

    started = time.monotonic()
    results = {}
    for vendor in DATABASES:
        results[vendor] = run_database(vendor, bench_run.measure_paths_for_national)
    section = report(results, time.monotonic() - started, bench_run)
    path = ROOT / "docs" / "PERFORMANCE.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n"
    block = f"\n<!-- national:start -->\n{section}<!-- national:end -->\n"
    if "<!-- national:start -->" in text:
        head, rest = text.split("\n<!-- national:start -->", 1)
        text = head + block + rest.split("<!-- national:end -->\n", 1)[1]
    else:
        text = text.rstrip("\n") + "\n" + block
    path.write_text(text, encoding="utf-8")
    print(section)
    print("Written to docs/PERFORMANCE.md")
    return results


NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL 15"}
READING = """### Reading the figures

- Search ranks only the 200 most recently indexed matches and does not count beyond them
  (`sciday/search/README.md`, "Bounded ranking"): a two-character word or a short phrase
  costs a few milliseconds whatever the number of matches. On SQLite what remains slowest is
  a query of many terms (乡村振兴科技助力 is seven bigrams; 人工智能 青少年 five): bm25 works
  per term and candidate. On PostgreSQL the selector estimates a query's frequency from the
  column statistics (`pg_stats`): a rare query reads the GIN index for the rarest bigram of
  each word only and checks the whole query on those rows; a common one walks the newest
  entries and stops at 201 matches. Both give the same rows as the plain query.
- The list page: the province an activity counts for is a stored, indexed column
  (`Activity.province`, with an index on province, start time and id, and one on start time
  and id), so a filtered page reads its 20 rows through an index; the page count stops at
  10,000 ("more than 10,000") and a filter combination's count is kept for a minute. What
  remains of a miss is rendering the page (the filter form, 20 cards, the shell) — many
  times the bare page's plain table — and, on deep pages, the rows skipped by OFFSET.
  Anonymous visitors are served the cached copy, which is what the "served" columns show.
- Timings are from a 2-core machine shared with other work while measuring; the load
  generator and the server share the cores too.
"""
TARGET_P95 = {"sqlite": 100, "postgresql": 50}


def report(results: dict, seconds: float, bench_run) -> str:
    now = datetime.now(TZ)
    first = next(iter(results.values()))
    lines = [
        "## National scale: search and the list page",
        "",
        f"`bench/national.py`: {first['activities']:,} activities of "
        f"{UNITS:,} generated units (plus the seeded ones), {first['entries']:,} of them public "
        "and indexed; titles and descriptions composed from word lists of 科技工作者日 "
        "activities (院士, 科普, 科学家精神, 报告会, 座谈会, 青少年, 人工智能, 乡村振兴…) and "
        "the places of the regions table; provinces Zipf-like (广东, 浙江, 江苏, 北京 most, "
        "西藏, 青海 fewest), dates around 30 May within the next campaign's window, 82% "
        "published. Index tokens come from the real analyzer; the FTS5 table or the tsvector "
        "column and its GIN index are built once after the bulk load. The data set is cached "
        f"(`var/bench-national/`, database `{PG_DB}`) under a marker row "
        f"(`{GENERATOR_VERSION}`, size): a second run reuses it. Variables: "
        "`BENCH_ACTIVITIES` (e.g. 20000 for a quick run), `BENCH_UNITS`, "
        "`BENCH_SEARCH_ROUNDS`, `BENCH_LIST_SECONDS`, `BENCH_DATABASES`, `BENCH_PG_DB`; "
        "`BENCH_PARTS=national` runs this part alone.",
        "",
        f"- Date: {now:%Y-%m-%d %H:%M} (Asia/Shanghai); whole national part "
        f"{seconds / 60:.1f} min"
        + "".join(
            f"; {NAMES[v]} generation {r['generation']['seconds'] / 60:.1f} min"
            if r["generation"]["generated"]
            else f"; {NAMES[v]} cached"
            for v, r in results.items()
        ),
        f"- Machine: {bench_run.machine()}",
        f"- Software: {bench_run.versions()}, " + ", ".join(NAMES[v] for v in results),
        "",
        "### Search",
        "",
        f"Server time of `sciday.search.selectors.search` (what `/search/` calls), "
        f"in process, {SEARCH_ROUNDS} timed passes over the mix after one warm-up; the view "
        "column times the whole `/search/` page through the Django test client, page cache off "
        "(queries "
        "without a province only: the page has no province filter).",
        "",
        "| Query | "
        + " | ".join(
            f"{NAMES[v]} matches | {NAMES[v]} median ms | {NAMES[v]} page ms" for v in results
        )
        + " |",
        "|---|" + "---:|---:|---:|" * len(results),
    ]
    for key in first["search"]["per_query"]:
        cells = []
        for r in results.values():
            q = r["search"]["per_query"][key]
            total = f"{q['total']:,}" + ("+" if q["total_capped"] else "")
            view = f"{q['view_median_ms']:.1f}" if q["view_median_ms"] is not None else "–"
            cells.append(f"{total} | {q['median_ms']:.1f} | {view}")
        lines.append(
            f"| {key} ({first['search']['per_query'][key]['label']}) | " + " | ".join(cells) + " |"
        )
    lines += [
        "",
        "| | p50 ms | p95 ms | page p50 ms | page p95 ms | target p95 | met |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for v, r in results.items():
        s = r["search"]
        met = "yes" if s["selector_p95"] <= TARGET_P95[v] else "**no**"
        lines.append(
            f"| {NAMES[v]} | {s['selector_p50']:.1f} | {s['selector_p95']:.1f} | "
            f"{s['view_p50']:.1f} | {s['view_p95']:.1f} | ≤ {TARGET_P95[v]} | {met} |"
        )
    lines += [
        "",
        "### The filtered list page against a bare page",
        "",
        "Throughput (gunicorn, production settings, "
        f"{os.environ.get('BENCH_WORKERS', '2')} workers; {first['list']['tool']} with two "
        "connections per worker and a 60 s request timeout, "
        f"{first['list']['seconds']} s per measurement, alternating rounds, best round counts) "
        "of `/activities/` with a realistic filter combination (广东, the first category, open "
        "for sign-up), its first page and page 40, and the unfiltered first page, as a ratio to "
        "`/bench/rows`: a bare page that reads 30 activity rows from the same database and "
        "renders them in a plain table through the same middleware (routed only when "
        "`BENCH_HELLO` is set).",
        "",
        "Each page is measured twice in the same run: as served, where anonymous visitors share "
        "a cached copy of a page for a minute (`PUBLIC_PAGE_CACHE_SECONDS`, "
        "`sciday/core/pagecache.py`), and with that cache off (`=0`), which is what every "
        "miss costs: the page's own queries and rendering. Each is a ratio to the bare page "
        "measured in the same round of requests.",
        "",
        "| Page | "
        + " | ".join(
            f"{NAMES[v]} served req/s | ratio | {NAMES[v]} cache off req/s | ratio" for v in results
        )
        + " |",
        "|---|" + "---:|---:|---:|---:|" * len(results),
    ]
    for name, path in first["list"]["paths"].items():
        cells = []
        for r in results.values():
            for part in ("list", "list_uncached"):
                rates = r[part]["rates"]
                best, bare = max(rates[name]), max(rates["bare"])
                cells.append(f"{best:,.{1 if best < 10 else 0}f} | {best / bare:.0%}")
        lines.append(f"| `{path}` | " + " | ".join(cells) + " |")
    lines += ["", READING]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "worker":
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        worker(Path(sys.argv[2]))
    else:
        print(json.dumps(main(), ensure_ascii=False, indent=1))
