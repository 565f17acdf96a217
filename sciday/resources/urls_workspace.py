"""The resources workspace, mounted at /workspace/resources/."""

from django.urls import path

from sciday.resources import views_workspace as views

app_name = "resource_admin"

urlpatterns = [
    path("", views.resource_list, name="list"),
    path("new/", views.resource_create, name="create"),
    path("<int:pk>/", views.resource_detail, name="detail"),
    path("<int:pk>/files/<slug:which>/", views.resource_file, name="file"),
    path("<int:pk>/edit/", views.resource_edit, name="edit"),
    path("<int:pk>/<slug:transition>/", views.resource_transition, name="transition"),
]
