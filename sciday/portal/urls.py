from django.urls import path

from sciday.core.placeholder import pending

app_name = "portal"

urlpatterns = [
    path("", pending, name="home"),
    path("notice/", pending, name="notice"),
]
