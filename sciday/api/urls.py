"""Mounted at /api/v1/ by config/urls.py; URL names live in the `api` namespace."""

from django.urls import path

from sciday.api.main import api

urlpatterns = [path("", api.urls)]
