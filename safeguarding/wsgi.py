import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguarding.settings")
application = get_wsgi_application()

from safeguarding.startup import refuse_unsafe_start  # noqa: E402

refuse_unsafe_start()
