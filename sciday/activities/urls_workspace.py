"""The activities workspace, mounted at /workspace/activities/."""

from django.urls import path

from sciday.activities import views_import, views_signup
from sciday.activities import views_workspace as views

app_name = "activity_admin"

urlpatterns = [
    path("", views.activity_list, name="list"),
    path("new/", views.activity_create, name="create"),
    path("import/template.xlsx", views_import.import_template, name="import_template"),
    path("import/", views_import.import_upload, name="import"),
    path("import/<str:token>/", views_import.import_preview, name="import_preview"),
    path("export.xlsx", views_import.export, name="export"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("<int:pk>/edit/", views.activity_edit, name="edit"),
    path("<int:pk>/signups/", views_signup.signup_list, name="signups"),
    path("<int:pk>/signups.csv", views_signup.signup_export, name="signups_csv"),
    path("<int:pk>/<slug:transition>/", views.activity_transition, name="transition"),
    path("venues/", views.venue_list, name="venue_list"),
    path("venues/new/", views.venue_create, name="venue_create"),
    path("venues/<int:pk>/edit/", views.venue_edit, name="venue_edit"),
]
