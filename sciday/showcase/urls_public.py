"""The public showcase, mounted at /showcase/."""

from django.urls import path

from sciday.showcase import views_public as views

app_name = "showcase"

urlpatterns = [
    path("", views.profile_index, name="index"),
    path("<int:pk>/", views.profile_detail, name="detail"),
    path("<int:pk>/photo/", views.profile_photo, name="photo"),
    path("notice/<int:pk>/", views.notice_page, name="notice"),
]
