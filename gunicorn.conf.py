"""gunicorn's settings, read from the project's directory (`gunicorn portal.wsgi` there, and
the benchmark's servers). Everything else is given on the command line."""

import gc
import logging


def post_worker_init(worker):
    """A new worker serves the public pages once to itself before it takes visitors
    (portal/warmup.py). A warm-up that fails is logged, never a reason not to serve.

    Then what the worker has loaded (Django, the compiled templates, the translation
    catalogues, the Japanese tables) is frozen out of the cyclic garbage collector: it lives
    as long as the process, and each full collection walked all of it again, 0.2–0.3 s of a
    visitor's request on these machines (docs/performance.md, *Seventh pass*)."""
    from portal.warmup import warm_up

    try:
        warm_up()
    except Exception:
        logging.getLogger("portal.warmup").exception("warm-up failed; serving without it")
    gc.collect()
    gc.freeze()
