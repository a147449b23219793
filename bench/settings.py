"""The project's own settings, plus one minimal view for the throughput anchor."""

from safeguarding.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "127.0.0.1", "localhost", "testserver"]  # noqa: F405

# The pages are measured on the scale data's own day, not the calendar's (bench/clock.py).
from bench.clock import pin  # noqa: E402

pin()
