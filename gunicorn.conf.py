"""gunicorn's settings, read from the project's directory (`gunicorn portal.wsgi` there, and
the benchmark's servers). Everything else is given on the command line."""

import logging


def post_worker_init(worker):
    """A new worker serves the public pages once to itself before it takes visitors
    (portal/warmup.py). A warm-up that fails is logged, never a reason not to serve."""
    from portal.warmup import warm_up

    try:
        warm_up()
    except Exception:
        logging.getLogger("portal.warmup").exception("warm-up failed; serving without it")
