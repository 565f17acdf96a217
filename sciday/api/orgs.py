"""Units, their members and invitations, and regions. Every write goes through the services."""

from __future__ import annotations

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from sciday.accounts import selectors as account_selectors
from sciday.accounts import services as account_services
from sciday.accounts.models import Invitation, Membership
from sciday.api.auth import OPTIONAL, REQUIRED
from sciday.api.schemas import ErrorOut, errors, paginate
from sciday.orgs import selectors, services
from sciday.orgs.models import Unit, UnitKind
from sciday.orgs.policy import Cap

router = Router(tags=["units"], auth=REQUIRED)
regions_router = Router(tags=["regions"], auth=OPTIONAL)

# --- Schemas ---------------------------------------------------------------------------------


class RegionOut(Schema):
    code: str
    name: str
    level: int = Field(description="1 province-level, 2 prefecture-level")
    parent_code: str | None = None

    @staticmethod
    def resolve_parent_code(obj) -> str | None:
        return obj.parent_id if not isinstance(obj, dict) else obj.get("parent_code")


class UnitRef(Schema):
    id: int
    name: str
    kind: str


class UnitOut(Schema):
    id: int
    name: str
    short_name: str
    code: str | None
    kind: UnitKind
    kind_label: str
    region: RegionOut | None
    address: str
    is_active: bool
    depth: int
    parent_id: int | None
    children_count: int

    @staticmethod
    def build(unit: Unit, parent_id: int | None) -> UnitOut:
        return UnitOut(
            id=unit.pk,
            name=unit.name,
            short_name=unit.short_name,
            code=unit.code,
            kind=UnitKind(unit.kind),
            kind_label=str(unit.get_kind_display()),
            region=RegionOut.from_orm(unit.region) if unit.region_id else None,
            address=unit.address,
            is_active=unit.is_active,
            depth=unit.depth,
            parent_id=parent_id,
            children_count=unit.numchild,
        )


class UnitDetailOut(UnitOut):
    ancestors: list[UnitRef] = Field(description="From the root down to the parent")


class UnitPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[UnitOut]


class UnitTreeNode(Schema):
    id: int
    name: str
    kind: str
    region_code: str | None
    children: list[UnitTreeNode]


class UnitCreateIn(Schema):
    parent_id: int | None = Field(
        description="The parent unit; null only for a national department (campaign admins)"
    )
    name: str = Field(max_length=200)
    kind: UnitKind
    region_code: str | None = Field(None, max_length=6, description="GB/T 2260 code")
    short_name: str = Field("", max_length=60)
    code: str | None = Field(None, max_length=60)
    address: str = Field("", max_length=300)


class UnitPatchIn(Schema):
    name: str | None = Field(None, max_length=200)
    short_name: str | None = Field(None, max_length=60)
    code: str | None = Field(None, max_length=60)
    region_code: str | None = Field(None, max_length=6)
    address: str | None = Field(None, max_length=300)
    is_active: bool | None = None


class UnitMoveIn(Schema):
    parent_id: int


class PersonOut(Schema):
    id: int
    name: str
    email: str


class MemberOut(Schema):
    id: int = Field(description="The membership's id")
    user: PersonOut
    role: str
    role_label: str
    since: datetime

    @staticmethod
    def build(m: Membership) -> MemberOut:
        return MemberOut(
            id=m.pk,
            user=PersonOut(id=m.user.pk, name=m.user.name, email=m.user.email),
            role=m.role,
            role_label=str(m.get_role_display()),
            since=m.created_at,
        )


class RoleIn(Schema):
    role: str


class InvitationIn(Schema):
    email: str = Field(max_length=254)
    name: str = Field(max_length=100)
    role: str


class InvitationOut(Schema):
    """An invitation. The link's secret is sent by e-mail only, never returned."""

    id: int
    unit_id: int
    email: str
    name: str
    role: str
    status: str = Field(description="pending, accepted, revoked or expired")
    created_at: datetime
    expires_at: datetime
    invited_by: str | None

    @staticmethod
    def build(inv: Invitation) -> InvitationOut:
        return InvitationOut(
            id=inv.pk,
            unit_id=inv.unit_id,
            email=inv.email,
            name=inv.name,
            role=inv.role,
            status=inv.status,
            created_at=inv.created_at,
            expires_at=inv.expires_at,
            invited_by=str(inv.invited_by) if inv.invited_by_id else None,
        )


class UnitFilters(Schema):
    kind: UnitKind | None = None
    parent: int | None = Field(None, description="Only the direct sub-units of this unit")
    search: str = Field("", max_length=100)
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=200)


# --- Units -----------------------------------------------------------------------------------


def _detail(viewer, unit: Unit) -> UnitDetailOut:
    ancestors = selectors.unit_ancestors(unit=unit)
    parent_id = ancestors[-1].pk if ancestors else None
    return UnitDetailOut(
        **UnitOut.build(unit, parent_id).model_dump(),
        ancestors=[UnitRef(id=a.pk, name=a.name, kind=a.kind) for a in ancestors],
    )


@router.get("/units", response={200: UnitPage, **errors(404)}, summary="List visible units")
def unit_list(request, filters: Query[UnitFilters]):
    qs = selectors.unit_list(
        viewer=request.auth, kind=filters.kind or None, search=filters.search.strip()
    )
    if filters.parent is not None:
        parent = selectors.unit_get(viewer=request.auth, pk=filters.parent)
        qs = qs.filter(path__startswith=parent.path, depth=parent.depth + 1)
    count, rows = paginate(qs, filters.page, filters.page_size)
    parents = selectors.unit_parent_ids(units=rows)
    return UnitPage(
        count=count,
        page=filters.page,
        page_size=filters.page_size,
        items=[UnitOut.build(u, parents[u.pk]) for u in rows],
    )


def _node(node: dict) -> UnitTreeNode:
    unit = node["unit"]
    return UnitTreeNode(
        id=unit.pk,
        name=unit.name,
        kind=unit.kind,
        region_code=unit.region_id,
        children=[_node(child) for child in node["children"]],
    )


@router.get(
    "/units/tree",
    response={200: list[UnitTreeNode], **errors(404)},
    summary="The visible units as a tree (under `root` when given)",
)
def unit_tree(request, root: int | None = None):
    root_unit = selectors.unit_get(viewer=request.auth, pk=root) if root is not None else None
    return [_node(n) for n in selectors.unit_tree(viewer=request.auth, root=root_unit)]


@router.get("/units/{unit_id}", response={200: UnitDetailOut, **errors(404)})
def unit_detail(request, unit_id: int):
    unit = selectors.unit_get(viewer=request.auth, pk=unit_id)
    return _detail(request.auth, unit)


@router.post(
    "/units",
    response={201: UnitDetailOut, **errors(400, 403, 404, 409)},
    summary="Create a sub-unit",
)
def unit_create(request, data: UnitCreateIn):
    parent = get_object_or_404(Unit, pk=data.parent_id) if data.parent_id is not None else None
    unit = services.unit_create(
        actor=request.auth,
        parent=parent,
        name=data.name,
        kind=data.kind,
        region_code=data.region_code,
        short_name=data.short_name,
        code=data.code,
        address=data.address,
    )
    unit = Unit.objects.select_related("region").get(pk=unit.pk)
    return Status(201, _detail(request.auth, unit))


@router.patch("/units/{unit_id}", response={200: UnitDetailOut, **errors(400, 403, 404, 409)})
def unit_update(request, unit_id: int, data: UnitPatchIn):
    unit = selectors.unit_get(viewer=request.auth, pk=unit_id, cap=Cap.UNIT_EDIT)
    changes = data.model_dump(exclude_unset=True)
    for key in ("name", "is_active"):
        if key in changes and changes[key] is None:
            changes.pop(key)
    unit = services.unit_update(actor=request.auth, unit=unit, **changes)
    unit = Unit.objects.select_related("region").get(pk=unit.pk)
    return _detail(request.auth, unit)


@router.post(
    "/units/{unit_id}/move",
    response={200: UnitDetailOut, **errors(400, 403, 404)},
    summary="Move a unit (with its sub-units) under another parent",
)
def unit_move(request, unit_id: int, data: UnitMoveIn):
    unit = selectors.unit_get(viewer=request.auth, pk=unit_id, cap=Cap.UNIT_MOVE)
    new_parent = get_object_or_404(Unit, pk=data.parent_id)
    unit = services.unit_move(actor=request.auth, unit=unit, new_parent=new_parent)
    unit = Unit.objects.select_related("region").get(pk=unit.pk)
    return _detail(request.auth, unit)


# --- Members and invitations -----------------------------------------------------------------


@router.get(
    "/units/{unit_id}/members",
    response={200: list[MemberOut], **errors(403, 404)},
    summary="The unit's members (unit admins and national roles)",
)
def member_list(request, unit_id: int):
    unit = selectors.unit_get(viewer=request.auth, pk=unit_id, cap=Cap.MEMBER_VIEW)
    return [MemberOut.build(m) for m in account_selectors.unit_members(unit=unit)]


def _membership(request, unit_id: int, membership_id: int) -> Membership:
    unit = selectors.unit_get(viewer=request.auth, pk=unit_id, cap=Cap.MEMBER_MANAGE)
    membership = get_object_or_404(
        Membership.objects.select_related("user"), pk=membership_id, unit=unit
    )
    membership.unit = unit
    return membership


@router.patch(
    "/units/{unit_id}/members/{membership_id}",
    response={200: MemberOut, **errors(400, 403, 404)},
    summary="Change a member's role",
)
def member_change_role(request, unit_id: int, membership_id: int, data: RoleIn):
    membership = _membership(request, unit_id, membership_id)
    membership = account_services.membership_change_role(
        actor=request.auth, membership=membership, role=data.role
    )
    return MemberOut.build(membership)


@router.delete(
    "/units/{unit_id}/members/{membership_id}",
    response={204: None, **errors(400, 403, 404)},
    summary="Remove a member from the unit",
)
def member_remove(request, unit_id: int, membership_id: int):
    membership = _membership(request, unit_id, membership_id)
    account_services.membership_remove(actor=request.auth, membership=membership)
    return Status(204, None)


@router.get(
    "/units/{unit_id}/invitations",
    response={200: list[InvitationOut], **errors(403, 404)},
)
def invitation_list(request, unit_id: int):
    unit = selectors.unit_get(viewer=request.auth, pk=unit_id, cap=Cap.MEMBER_MANAGE)
    return [InvitationOut.build(i) for i in account_selectors.unit_invitations(unit=unit)]


@router.post(
    "/units/{unit_id}/invitations",
    response={201: InvitationOut, **errors(400, 403, 404, 409)},
    summary="Invite a person to the unit (the link is e-mailed to them)",
)
def invitation_create(request, unit_id: int, data: InvitationIn):
    unit = selectors.unit_get(viewer=request.auth, pk=unit_id, cap=Cap.MEMBER_MANAGE)
    invitation, _secret = account_services.invitation_create(
        actor=request.auth, unit=unit, email=data.email, name=data.name, role=data.role
    )
    return Status(201, InvitationOut.build(invitation))


@router.delete(
    "/units/{unit_id}/invitations/{invitation_id}",
    response={200: InvitationOut, **errors(400, 403, 404)},
    summary="Withdraw an invitation",
)
def invitation_revoke(request, unit_id: int, invitation_id: int):
    unit = selectors.unit_get(viewer=request.auth, pk=unit_id, cap=Cap.MEMBER_MANAGE)
    invitation = get_object_or_404(
        Invitation.objects.select_related("invited_by"), pk=invitation_id, unit=unit
    )
    invitation.unit = unit
    invitation = account_services.invitation_revoke(actor=request.auth, invitation=invitation)
    return InvitationOut.build(invitation)


# --- Regions ---------------------------------------------------------------------------------


@regions_router.get(
    "/regions",
    response={200: list[RegionOut], 422: ErrorOut},
    summary="GB/T 2260 regions: provinces (level 1) and prefectures (level 2)",
)
def region_list(request, level: int | None = Query(None, ge=1, le=2), parent: str | None = None):
    return list(selectors.region_list(level=level, parent_code=parent))
