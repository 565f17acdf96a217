from django.urls import path

from sciday.core.placeholder import pending

app_name = "orgs"

urlpatterns = [
    path("", pending, name="workspace"),
]
