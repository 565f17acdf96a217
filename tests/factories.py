"""Factories for test data: written through models here; behaviour tests go through services."""

from __future__ import annotations

import itertools

import factory
from django.utils import timezone

from sciday.accounts.models import Membership, Role, User
from sciday.orgs.models import Region, Unit, UnitKind

PASSWORD = "Sciday-2023!"
_counter = itertools.count(1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.cn")
    name = factory.Sequence(lambda n: f"测试用户{n}")
    password_changed_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save()


def make_unit(
    *,
    name: str | None = None,
    kind: str = UnitKind.OTHER,
    parent: Unit | None = None,
    region: str | None = None,
) -> Unit:
    """Create a unit directly (no policy), under `parent` or as a root."""
    unit = Unit(
        name=name or f"测试单位{next(_counter)}",
        kind=kind,
        region=Region.objects.get(pk=region) if region else None,
    )
    if parent is not None:
        return Unit.objects.add_child(parent, instance=unit)
    return Unit.objects.add_root(instance=unit)


def make_member(unit: Unit, role: str = Role.UNIT_ADMIN, **user_kwargs) -> User:
    user = UserFactory(**user_kwargs)
    Membership.objects.create(user=user, unit=unit, role=role)
    return user
