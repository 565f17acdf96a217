"""Campaign admins' pages, under /campaigns/. The public notice is routed by the portal."""

from django.urls import path

from sciday.campaigns import views
from sciday.core import workdays_views
from sciday.screening import views as screening_views

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("<int:pk>/", views.campaign_edit, name="edit"),
    path("<int:pk>/copy/", views.campaign_copy, name="copy"),
    path("<int:pk>/current/", views.campaign_set_current, name="set_current"),
    path("<int:pk>/categories/", views.categories, name="categories"),
    path("<int:pk>/categories/<int:cid>/", views.category_edit, name="category"),
    path("<int:pk>/categories/<int:cid>/action/", views.category_action, name="category_action"),
    path(
        "<int:pk>/categories/<int:cid>/subtypes/<int:sid>/",
        views.subtype_action,
        name="subtype_action",
    ),
    path("<int:pk>/routes/", views.routes, name="routes"),
    path("<int:pk>/contacts/", views.contacts, name="contacts"),
    path("<int:pk>/contacts/<int:cid>/", views.contact_edit, name="contact"),
    path("<int:pk>/trusted-units/", views.trusted_units, name="trusted_units"),
    path("<int:pk>/sensitive-words/", screening_views.sensitive_words, name="sensitive_words"),
    path("<int:pk>/working-calendar/", workdays_views.working_calendar, name="working_calendar"),
    path(
        "<int:pk>/working-calendar/<int:did>/",
        workdays_views.working_calendar_day,
        name="working_calendar_day",
    ),
]
