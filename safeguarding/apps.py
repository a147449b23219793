from django.apps import AppConfig


class SafeguardingConfig(AppConfig):
    name = "safeguarding"
    verbose_name = "Safeguarding partnerships"

    def ready(self):
        from . import signals  # noqa: F401
        from .celery import ensure_broker_folders

        ensure_broker_folders()
