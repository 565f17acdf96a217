"""The unit workspace, mounted at /workspace/."""

from django.urls import path

from sciday.orgs import views

app_name = "orgs"

urlpatterns = [
    path("", views.overview, name="workspace"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/move/", views.unit_move, name="unit_move"),
    path("units/<int:pk>/members/", views.member_list, name="member_list"),
    path("units/<int:pk>/members/invite/", views.member_invite, name="member_invite"),
    path(
        "units/<int:pk>/members/<int:membership_id>/role/",
        views.member_role,
        name="member_role",
    ),
    path(
        "units/<int:pk>/members/<int:membership_id>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path(
        "units/<int:pk>/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
]
