"""The news workspace, mounted at /workspace/news/."""

from django.urls import path

from sciday.news import views_workspace as views

app_name = "news_admin"

urlpatterns = [
    path("", views.news_list, name="list"),
    path("new/", views.news_create, name="create"),
    path("<int:pk>/", views.news_detail, name="detail"),
    path("<int:pk>/edit/", views.news_edit, name="edit"),
    path("<int:pk>/<slug:transition>/", views.news_transition, name="transition"),
]
