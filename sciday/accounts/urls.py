from django.urls import path

from sciday.accounts import admin_views, views
from sciday.core import audit_views

app_name = "accounts"

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
    path("profile/tokens/", views.token_create, name="token_create"),
    path("profile/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("profile/export/", views.data_export, name="data_export"),
    path("password/", views.password_change, name="password_change"),
    path("password/reset/", views.ResetRequestView.as_view(), name="password_reset"),
    path("password/reset/sent/", views.ResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.ResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        views.ResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("otp/verify/", views.otp_verify, name="otp_verify"),
    path("otp/setup/", views.otp_setup, name="otp_setup"),
    path("invitations/<str:secret>/", views.invitation_accept, name="invitation_accept"),
    # The three separated system roles (三权分立): one page each.
    path("admin/users/", admin_views.admin_users, name="admin_users"),
    path(
        "admin/users/<int:pk>/active/",
        admin_views.admin_user_set_active,
        name="admin_user_set_active",
    ),
    path("security/", admin_views.security, name="security"),
    path("security/unlock/", admin_views.security_unlock, name="security_unlock"),
    path(
        "security/second-factor/reset/",
        admin_views.security_reset_second_factor,
        name="security_reset_second_factor",
    ),
    path("audit/", audit_views.audit_log, name="audit"),
]
