from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.core.signals import request_finished

        from portal.accounts import signals  # noqa: F401  (connects audit receivers)
        from portal.logging import forget_request_id

        request_finished.connect(forget_request_id, dispatch_uid="portal.request_id")
