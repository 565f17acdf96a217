"""Seed the national structure: the two national departments and, under each, the provincial units.

中国科协宣传文化部 (cast-publicity) has one provincial 科协 per province (cast-<code>) and
新疆生产建设兵团科协 (cast-xpcc); 科技部人才与科普司 (most-talent) has one provincial S&T
department per province (std-<code>) and 新疆生产建设兵团科学技术局 (std-xpcc).

Historical models have no treebeard methods, so the materialized paths are computed here the way
treebeard's MP_Node does by default (steplen 4, base 36, roots 0001, 0002...). Idempotent: a unit
whose code already exists is left alone, so the migration can run over a database that has some.
"""

from django.db import migrations

STEPLEN = 4
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# Municipalities' S&T departments are commissions or bureaus, not 厅.
STD_MUNICIPAL = {
    "110000": ("北京市科学技术委员会", "北京市科委"),
    "120000": ("天津市科学技术局", "天津市科技局"),
    "310000": ("上海市科学技术委员会", "上海市科委"),
    "500000": ("重庆市科学技术局", "重庆市科技局"),
}

ROOTS = [
    {
        "code": "cast-publicity",
        "name": "中国科协宣传文化部",
        "short_name": "宣传文化部",
        "region": "110000",
        "address": "北京市海淀区复兴路3号",
    },
    {
        "code": "most-talent",
        "name": "科技部人才与科普司",
        "short_name": "人才与科普司",
        "region": "110000",
        "address": "北京市西城区文兴东街1号国谊宾馆北楼1323房间",
    },
]


def _int36(path: str) -> int:
    return int(path, 36)


def _str36(number: int) -> str:
    digits = ""
    while number:
        number, rest = divmod(number, 36)
        digits = ALPHABET[rest] + digits
    return digits.rjust(STEPLEN, "0")


def _next_path(Unit, parent):
    """Return the path for a new last child of `parent` (a new root when None)."""
    if parent is None:
        siblings = Unit.objects.filter(depth=1)
        prefix = ""
    else:
        siblings = Unit.objects.filter(depth=parent.depth + 1, path__startswith=parent.path)
        prefix = parent.path
    last = siblings.order_by("-path").values_list("path", flat=True).first()
    step = _int36(last[-STEPLEN:]) + 1 if last else 1
    return prefix + _str36(step)


def _add(Unit, parent, *, code, name, kind, region, short_name="", address=""):
    existing = Unit.objects.filter(code=code).first()
    if existing is not None:
        return existing
    path = _next_path(Unit, parent)
    unit = Unit.objects.create(
        path=path,
        depth=len(path) // STEPLEN,
        numchild=0,
        code=code,
        name=name,
        short_name=short_name,
        kind=kind,
        region_id=region,
        address=address,
    )
    if parent is not None:
        Unit.objects.filter(pk=parent.pk).update(
            numchild=Unit.objects.filter(
                depth=parent.depth + 1, path__startswith=parent.path
            ).count()
        )
        parent.refresh_from_db()
    return unit


def seed(apps, schema_editor):
    Unit = apps.get_model("orgs", "Unit")
    Region = apps.get_model("orgs", "Region")
    provinces = list(Region.objects.filter(level=1).order_by("code"))
    roots = {root["code"]: _add(Unit, None, kind="national_department", **root) for root in ROOTS}
    cast, most = roots["cast-publicity"], roots["most-talent"]
    for province in provinces:
        two = province.code[:2]
        _add(
            Unit,
            cast,
            code=f"cast-{two}",
            name=f"{province.name}科协",
            kind="provincial_cast",
            region=province.code,
        )
    _add(
        Unit,
        cast,
        code="cast-xpcc",
        name="新疆生产建设兵团科协",
        kind="provincial_cast",
        region="650000",
    )
    for province in provinces:
        two = province.code[:2]
        name, short = STD_MUNICIPAL.get(
            province.code, (f"{province.name}科学技术厅", f"{province.name}科技厅")
        )
        _add(
            Unit,
            most,
            code=f"std-{two}",
            name=name,
            short_name=short,
            kind="provincial_std",
            region=province.code,
        )
    _add(
        Unit,
        most,
        code="std-xpcc",
        name="新疆生产建设兵团科学技术局",
        short_name="兵团科技局",
        kind="provincial_std",
        region="650000",
    )


class Migration(migrations.Migration):
    dependencies = [("orgs", "0002_load_regions")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
