"""The Celery app. Every beat schedule of the service is declared here, in one place."""

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguarding.settings")

app = Celery("safeguarding")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# All periodic work. django-celery-beat's DatabaseScheduler copies these into its tables,
# so any number of hosts share one schedule; only one beat process should run.
app.conf.beat_schedule = {}


def ensure_broker_folders():
    """The filesystem transport (embedded default) needs its folders to exist."""
    options = app.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "control_folder", "processed_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
