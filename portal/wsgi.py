import logging
import os

from django.core import checks
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_wsgi_application()

# gunicorn runs no system checks: say at each app server's start when its cache is its own
# (portal.W001), as runserver and migrate do.
for message in checks.run_checks(tags=[checks.Tags.caches]):
    logging.getLogger("portal").warning("%s", message)
