"""gunicorn's settings, read from the project's directory (`gunicorn portal.wsgi` there, and
the benchmark's servers). Everything else is given on the command line."""


def post_worker_init(worker):
    """A new worker serves the public pages once to itself before it takes visitors
    (portal/warmup.py)."""
    from portal.warmup import warm_up

    warm_up()
