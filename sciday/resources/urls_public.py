"""The public gallery, mounted at /resources/."""

from django.urls import path

from sciday.resources import views_public as views

app_name = "resources"

urlpatterns = [
    path("", views.gallery_list, name="list"),
    path("<int:pk>/", views.gallery_detail, name="detail"),
    path("<int:pk>/file/<slug:variant>/", views.gallery_file, name="file"),
]
