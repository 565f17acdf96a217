from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "sciday.portal"
    label = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from sciday.core.models import AuditEntry
        from sciday.portal.hooks import on_audit_entry

        post_save.connect(on_audit_entry, sender=AuditEntry, dispatch_uid="portal-page-refresh")
