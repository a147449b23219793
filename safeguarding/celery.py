"""The Celery app. Every beat schedule of the service is declared here, in one place."""

import os
from pathlib import Path

from celery import Celery, bootsteps

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguarding.settings")

app = Celery("safeguarding")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# All periodic work. django-celery-beat's DatabaseScheduler copies these into its tables,
# so any number of hosts share one schedule; only one beat process should run.
app.conf.beat_schedule = {
    # Reminders (issue 6): the sweep holds everything outside office hours and on
    # non-working days itself, so a plain interval is enough (every minute in the demo).
    "sweep-reminders": {
        "task": "safeguarding.sweep_reminders",
        # settings.REMINDER_SWEEP_SECONDS once the settings are loaded (below).
        "schedule": 600.0,
        "options": {"expires": 300},
    },
    # Written requests to reviewers not e-mailed yet (the broker was down, or the review
    # had no reviewer when the request was saved).
    "requeue-written-requests": {
        "task": "lcspr.requeue_written_requests",
        "schedule": 10 * 60,
        "options": {"expires": 300},
    },
    # Action-plan actions whose agency was not e-mailed yet (the broker was down, or the
    # agency had nobody to tell when the action was added), or not told its due date moved.
    "requeue-action-emails": {
        "task": "lcspr.requeue_action_emails",
        "schedule": 10 * 60,
        "options": {"expires": 300},
    },
    # Reviewers not yet told their review went on hold, resumed or was closed, or that
    # they were assigned to it.
    "requeue-reviewer-notices": {
        "task": "lcspr.requeue_reviewer_notices",
        "schedule": 10 * 60,
        "options": {"expires": 300},
    },
    # E-mails about a new role that could not be queued when the role was given.
    "requeue-invitations": {
        "task": "safeguarding.requeue_invitations",
        "schedule": 10 * 60,
        "options": {"expires": 300},
    },
    # E-mails about a role taken away that could not be queued when it was.
    "requeue-role-ended-notices": {
        "task": "safeguarding.requeue_role_ended_notices",
        "schedule": 10 * 60,
        "options": {"expires": 300},
    },
    # Request e-mails that could not be queued when the request was sent (issue 4).
    "requeue-request-emails": {
        "task": "rapid_reviews.requeue_request_emails",
        "schedule": 10 * 60,
        "options": {"expires": 300},
    },
    # Agencies reminded of returns due on the next working day or overdue: once per
    # request, due date and kind, in office hours (rapid_reviews/chasing.py). Hourly, so
    # a reminder held up by an outage goes out later the same day.
    "send-return-reminders": {
        "task": "rapid_reviews.send_return_reminders",
        "schedule": 60 * 60,
        "options": {"expires": 1800},
    },
    # Agencies reminded of their action-plan actions due in a week or overdue: once per
    # action, due date and kind, in office hours (lcspr/chasing.py).
    "send-action-reminders": {
        "task": "lcspr.send_action_reminders",
        "schedule": 60 * 60,
        "options": {"expires": 1800},
    },
    # Files held for a form refused for another answer (held_uploads.py) are deleted a day
    # after they were held; hourly, so none is kept much longer than that.
    "clear-held-uploads": {
        "task": "safeguarding.clear_held_uploads",
        "schedule": 60 * 60,
        "options": {"expires": 1800},
    },
    # Expired sessions are deleted once a night, so the table does not grow for ever.
    "clear-expired-sessions": {
        "task": "safeguarding.clear_expired_sessions",
        "schedule": 24 * 60 * 60,
        "options": {"expires": 3600},
    },
}


@app.on_after_configure.connect
def _sweep_interval_from_settings(sender, **kwargs):
    """The sweep runs every REMINDER_SWEEP_SECONDS as settings.py reads it (the environment
    or the .env file; every minute in the demo). Read when Celery loads its configuration,
    not when this module is imported, which may be before the settings can be."""
    from django.conf import settings

    sender.conf.beat_schedule["sweep-reminders"]["schedule"] = float(
        settings.REMINDER_SWEEP_SECONDS
    )


def ensure_broker_folders():
    """The filesystem transport (embedded default) needs its folders to exist."""
    options = app.conf.broker_transport_options or {}
    for key in (
        "data_folder_in",
        "data_folder_out",
        "staging_folder",
        "control_folder",
        "processed_folder",
    ):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


class RefuseUnsafeStart(bootsteps.Step):
    """The worker refuses to start without a secret key, like the web process."""

    def __init__(self, worker, **kwargs):
        from .startup import refuse_unsafe_start

        refuse_unsafe_start()
        super().__init__(worker, **kwargs)


app.steps["worker"].add(RefuseUnsafeStart)
