"""Site-wide pages (home, dashboard, organisation profile) collect their sections from the apps.

Each app registers a function per page in its AppConfig.ready(); the page's view merges what
they return into its template context. This keeps `portal` and `accounts` free of imports from
the apps that build on them.
"""

from collections import defaultdict

_hooks = defaultdict(list)


def register(page: str):
    def decorator(function):
        _hooks[page].append(function)
        return function

    return decorator


def collect(page: str, *args) -> dict:
    context = {}
    for function in _hooks[page]:
        for key, value in function(*args).items():
            # Lists of templates to include are merged; other values are set.
            if key.endswith("_templates"):
                context.setdefault(key, []).extend(value)
            else:
                context[key] = value
    return context
