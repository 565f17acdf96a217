"""Load a realistic demo on top of the seeded national structure, and print its logins.

Idempotent: what exists (by unit code, e-mail or activity reference) is left as it is, so
`make run` calls it on every start. Units are created through `sciday.orgs.services.unit_create`
by the demo campaign admin; people and memberships are seeded directly (no invitation round-trip)
and audited. Then the 2023 campaign gets a few hundred activities through the activities services
(`sciday.core.demo_activities`), and Hangzhou's 科协 photos, a short video, documents, an article
and a link in every moderation state (`sciday.core.demo_resources`).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from sciday.accounts.models import Membership, Role, SystemRole, User
from sciday.core.audit import audit_record
from sciday.core.demo_activities import DEFAULT_COUNT, load_demo_activities
from sciday.core.demo_home import load_demo_home
from sciday.core.demo_news import load_demo_news
from sciday.core.demo_reports import load_demo_reports
from sciday.core.demo_resources import load_demo_resources
from sciday.core.demo_showcase import load_demo_showcase
from sciday.orgs.models import Unit, UnitKind

DEMO_PASSWORD = "Sciday-2023!"  # noqa: S105 - the demo's published password
# One fixed TOTP key for every demo account that needs a second factor: add it once to an
# authenticator app (base32 below). Demo only; real accounts enrol their own device.
DEMO_TOTP_KEY = b"sciday-demo-totp-key"  # 20 bytes, as RFC 6238 recommends for SHA-1
DEMO_TOTP_BASE32 = base64.b32encode(DEMO_TOTP_KEY).decode()


def _silent(*_args) -> None:
    """A log for --quiet: the demo loaders' progress lines are not printed."""


@dataclass(frozen=True)
class DemoUnit:
    code: str
    name: str
    kind: str
    parent: str
    region: str | None = None
    short_name: str = ""


UNITS = [
    DemoUnit(
        "society-ccs", "中国化学会", UnitKind.NATIONAL_SOCIETY, "cast-publicity", "110000", "化学会"
    ),
    DemoUnit(
        "society-ccf",
        "中国计算机学会",
        UnitKind.NATIONAL_SOCIETY,
        "cast-publicity",
        "110000",
        "CCF",
    ),
    DemoUnit(
        "society-caa", "中国农学会", UnitKind.NATIONAL_SOCIETY, "cast-publicity", "110000", "农学会"
    ),
    DemoUnit(
        "ent-cnpc",
        "中国石油天然气集团有限公司科协",
        UnitKind.ENTERPRISE_CAST,
        "cast-publicity",
        "110000",
        "中国石油科协",
    ),
    DemoUnit(
        "univ-tsinghua", "清华大学科协", UnitKind.UNIVERSITY_CAST, "cast-11", "110000", "清华科协"
    ),
    DemoUnit("univ-zju", "浙江大学科协", UnitKind.UNIVERSITY_CAST, "cast-33", "330100", "浙大科协"),
    DemoUnit(
        "local-hangzhou",
        "杭州市科学技术协会",
        UnitKind.LOCAL_CAST,
        "cast-33",
        "330100",
        "杭州市科协",
    ),
    DemoUnit(
        "local-ningbo", "宁波市科学技术协会", UnitKind.LOCAL_CAST, "cast-33", "330200", "宁波市科协"
    ),
    DemoUnit(
        "ent-geely",
        "浙江吉利控股集团科协",
        UnitKind.ENTERPRISE_CAST,
        "local-hangzhou",
        "330100",
        "吉利科协",
    ),
]


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    label: str
    unit: str | None = None  # unit code
    role: str | None = None
    system_role: str = ""
    phone: str = ""


PEOPLE = [
    DemoPerson(
        "campaign.admin@sciday.test",
        "张宣传",
        "campaign admin",
        "cast-publicity",
        Role.CAMPAIGN_ADMIN,
    ),
    DemoPerson(
        "reviewer@sciday.test",
        "李人才",
        "department reviewer",
        "most-talent",
        Role.DEPARTMENT_REVIEWER,
    ),
    DemoPerson(
        "unit.admin@sciday.test",
        "王浙科",
        "unit admin",
        "cast-33",
        Role.UNIT_ADMIN,
        phone="13800138000",
    ),
    DemoPerson("unit.editor@sciday.test", "陈编辑", "unit editor", "cast-33", Role.UNIT_EDITOR),
    DemoPerson("expert@sciday.test", "赵专家", "expert", "society-ccs", Role.EXPERT),
    DemoPerson("consultant@sciday.test", "刘顾问", "consultant", "cast-11", Role.CONSULTANT),
    DemoPerson(
        "sysadmin@sciday.test",
        "周系统",
        "system administrator",
        system_role=SystemRole.SYSTEM_ADMIN,
    ),
    DemoPerson("auditor@sciday.test", "吴审计", "auditor", system_role=SystemRole.AUDITOR),
    DemoPerson(
        "security@sciday.test",
        "郑安全",
        "security administrator",
        system_role=SystemRole.SECURITY_ADMIN,
    ),
    DemoPerson("public@sciday.test", "孙公众", "public user (no unit)"),
]

NATIONAL_ROLES = {Role.CAMPAIGN_ADMIN, Role.DEPARTMENT_REVIEWER}


class Command(BaseCommand):
    help = "Load the demo units and one account per role (idempotent); print the logins."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Do not print the logins.")
        parser.add_argument(
            "--activities",
            type=int,
            default=DEFAULT_COUNT,
            metavar="N",
            help=f"How many demo activities the 2023 campaign gets (default {DEFAULT_COUNT}).",
        )
        parser.add_argument(
            "--no-resources",
            action="store_false",
            dest="resources",
            help="Skip the demo resources (generated photos, video and documents).",
        )

    def handle(
        self,
        *args,
        quiet: bool = False,
        activities: int = DEFAULT_COUNT,
        resources: bool = True,
        **options,
    ):
        missing = [
            c
            for c in ("cast-publicity", "most-talent", "cast-11", "cast-33")
            if not Unit.objects.filter(code=c).exists()
        ]
        if missing:
            raise CommandError(
                f"The national structure is not seeded (missing units: {', '.join(missing)})."
                " Run `manage.py migrate` first."
            )
        with transaction.atomic():
            created = self._load()
        # Outside the block above: each service call commits on its own, and the search index
        # is refreshed as it does.
        new_activities = load_demo_activities(
            campaign_admin=User.objects.get(email="campaign.admin@sciday.test"),
            unit_editor=User.objects.get(email="unit.editor@sciday.test"),
            unit_admin=User.objects.get(email="unit.admin@sciday.test"),
            count=activities,
        )
        new_resources = 0
        if resources:
            new_resources = load_demo_resources(
                campaign_admin=User.objects.get(email="campaign.admin@sciday.test"),
                unit_editor=User.objects.get(email="unit.editor@sciday.test"),
                unit_admin=User.objects.get(email="unit.admin@sciday.test"),
                log=self.stdout.write if not quiet else _silent,
            )
        new_news = load_demo_news(
            campaign_admin=User.objects.get(email="campaign.admin@sciday.test"),
            unit_editor=User.objects.get(email="unit.editor@sciday.test"),
            unit_admin=User.objects.get(email="unit.admin@sciday.test"),
        )
        new_showcase = load_demo_showcase(
            campaign_admin=User.objects.get(email="campaign.admin@sciday.test"),
            unit_admin=User.objects.get(email="unit.admin@sciday.test"),
            expert=User.objects.get(email="expert@sciday.test"),
            log=self.stdout.write if not quiet else _silent,
        )
        new_reports = load_demo_reports(
            campaign_admin=User.objects.get(email="campaign.admin@sciday.test"),
            unit_admin=User.objects.get(email="unit.admin@sciday.test"),
            reviewer=User.objects.get(email="reviewer@sciday.test"),
            log=self.stdout.write if not quiet else _silent,
        )
        # Last: the home page features what the demos above published.
        new_home = load_demo_home(
            campaign_admin=User.objects.get(email="campaign.admin@sciday.test")
        )
        created += new_activities + new_resources + new_news + new_showcase + new_reports + new_home
        if not quiet:
            self._print_logins(created)
            self._print_activities(new_activities)
            if resources:
                self.stdout.write(f"Demo resources: {new_resources} new (/resources/)")
            self.stdout.write(f"Demo news: {new_news} new (/news/)")
            self.stdout.write(f"Demo showcase: {new_showcase} new (/showcase/)")
            self.stdout.write(f"Demo summary reports: {new_reports} new (/workspace/reports/)")

    # --- loading ------------------------------------------------------------------------------

    def _load(self) -> int:
        created = 0
        people = {}
        # The campaign admin first: it creates the demo units through the service.
        for person in PEOPLE:
            user, new = self._person(person)
            people[person.email] = user
            created += new
        # Roles in the seeded national structure first, so the campaign admin can act.
        seeded = set(Unit.objects.filter(code__isnull=False).values_list("code", flat=True))
        for person in PEOPLE:
            if person.unit in seeded:
                created += self._membership(people[person.email], person)
        admin = User.objects.get(email=PEOPLE[0].email)  # fresh object: memberships not cached
        for spec in UNITS:
            created += self._unit(admin, spec)
        for person in PEOPLE:
            if person.unit and person.unit not in seeded:
                created += self._membership(people[person.email], person)
        return created

    def _person(self, person: DemoPerson) -> tuple[User, bool]:
        user = User.objects.filter(email=person.email).first()
        if user is not None:
            return user, False
        user = User(email=person.email, name=person.name)
        user.set_password(DEMO_PASSWORD)  # also sets password_changed_at: no forced change now
        if person.phone:
            user.set_phone(person.phone)
        user.save()
        audit_record(actor=None, action="core.demo.user_created", obj=user)
        if person.system_role:
            from sciday.accounts.services import user_grant_system_role

            user_grant_system_role(user=user, role=person.system_role)
        if person.system_role or person.role in NATIONAL_ROLES:
            self._totp_device(user)
        return user, True

    def _totp_device(self, user: User) -> None:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        TOTPDevice.objects.create(
            user=user, name="Demo authenticator", key=DEMO_TOTP_KEY.hex(), confirmed=True
        )
        audit_record(actor=None, action="core.demo.totp_device_created", obj=user)

    def _unit(self, admin: User, spec: DemoUnit) -> int:
        if Unit.objects.filter(code=spec.code).exists():
            return 0
        from sciday.orgs.services import unit_create

        unit_create(
            actor=admin,
            parent=Unit.objects.get(code=spec.parent),
            name=spec.name,
            kind=spec.kind,
            region_code=spec.region,
            short_name=spec.short_name,
            code=spec.code,
        )
        return 1

    def _membership(self, user: User, person: DemoPerson) -> int:
        assert person.role is not None
        unit = Unit.objects.get(code=person.unit)
        membership, new = Membership.objects.get_or_create(
            user=user, unit=unit, defaults={"role": person.role}
        )
        if new:
            audit_record(
                actor=None,
                action="core.demo.membership_created",
                obj=membership,
                changes={"unit": str(unit), "role": person.role},
            )
        return int(new)

    # --- output -------------------------------------------------------------------------------

    def _print_activities(self, new: int) -> None:
        from django.db.models import Count

        from sciday.activities.models import Activity

        counts = dict(
            Activity.objects.filter(reference__startswith="demo-")
            .values_list("status")
            .annotate(n=Count("id"))
            .values_list("status", "n")
        )
        summary = ", ".join(f"{status} {n}" for status, n in sorted(counts.items()))
        self.stdout.write(
            f"Demo activities: {sum(counts.values())} ({new} new): {summary or 'none'}."
        )

    def _print_logins(self, created: int) -> None:
        out = self.stdout.write
        out("")
        out(
            self.style.SUCCESS(
                f"Demo loaded ({created} new record(s))." if created else "Demo already loaded."
            )
        )
        out(f"Demo logins (password for all: {DEMO_PASSWORD})")
        units = {u.code: u.name for u in Unit.objects.filter(code__in={p.unit for p in PEOPLE})}
        for person in PEOPLE:
            needs_otp = person.system_role or person.role in NATIONAL_ROLES
            where = units.get(person.unit or "", "")
            login = person.email + (f" or {person.phone}" if person.phone else "")
            out(f"  {person.label:<24} {login:<46} {where}{'  [TOTP]' if needs_otp else ''}")
        out(
            "Accounts marked [TOTP] ask for a one-time code: add this key to an authenticator app "
            f"(TOTP, SHA-1, 6 digits, 30 s): {DEMO_TOTP_BASE32}"
        )
        out(
            "  otpauth://totp/sciday:demo?secret="
            f"{DEMO_TOTP_BASE32}&issuer=sciday&algorithm=SHA1&digits=6&period=30"
        )
