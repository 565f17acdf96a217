"""Resumable uploads (tus 1.0.0), mounted at /uploads/tus/."""

from django.urls import path

from sciday.resources import views_tus as views

app_name = "resource_tus"

urlpatterns = [
    path("", views.collection, name="collection"),
    path("<uuid:upload_id>/", views.upload, name="upload"),
]
