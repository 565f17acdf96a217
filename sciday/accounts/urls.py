from django.urls import path

from sciday.core.placeholder import pending

app_name = "accounts"

urlpatterns = [
    path("login/", pending, name="login"),
    path("logout/", pending, name="logout"),
    path("profile/", pending, name="profile"),
    path("password/", pending, name="password_change"),
    path("otp/verify/", pending, name="otp_verify"),
    path("otp/setup/", pending, name="otp_setup"),
    path("invitations/<str:secret>/", pending, name="invitation_accept"),
]
