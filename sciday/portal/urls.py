from django.urls import path

from sciday.core.placeholder import pending
from sciday.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("notice/", pending, name="notice"),
]
