from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Public site"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from cms import signals

        signals.connect()
