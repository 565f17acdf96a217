from django.urls import path

from sciday.campaigns import views as campaign_views
from sciday.campaigns import views_pdf as campaign_pdf_views
from sciday.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("notice/", campaign_views.notice, name="notice"),
    path("notice/<int:year>/", campaign_views.notice, name="notice_year"),
    path("notice.pdf", campaign_pdf_views.notice_pdf, name="notice_pdf"),
    path("notice/<int:year>.pdf", campaign_pdf_views.notice_pdf, name="notice_year_pdf"),
]
