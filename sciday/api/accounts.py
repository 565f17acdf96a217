"""The calling person: who they are and where they hold roles."""

from __future__ import annotations

from ninja import Router, Schema

from sciday.accounts.selectors import user_memberships
from sciday.api.auth import REQUIRED
from sciday.api.schemas import errors

router = Router(tags=["me"], auth=REQUIRED)


class MembershipUnitOut(Schema):
    id: int
    name: str
    kind: str
    region_code: str | None


class MembershipOut(Schema):
    id: int
    role: str
    role_label: str
    unit: MembershipUnitOut


class MeOut(Schema):
    id: int
    email: str
    name: str
    system_role: str = ""
    system_role_label: str = ""
    memberships: list[MembershipOut]


@router.get("/me", response={200: MeOut, **errors()}, summary="The calling person")
def me(request):
    user = request.auth
    return MeOut(
        id=user.pk,
        email=user.email,
        name=user.name,
        system_role=user.system_role,
        system_role_label=str(user.get_system_role_display()) if user.system_role else "",
        memberships=[
            MembershipOut(
                id=m.pk,
                role=m.role,
                role_label=str(m.get_role_display()),
                unit=MembershipUnitOut(
                    id=m.unit.pk, name=m.unit.name, kind=m.unit.kind, region_code=m.unit.region_id
                ),
            )
            for m in user_memberships(user=user)
        ],
    )
