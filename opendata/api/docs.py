"""The API reference page (Redoc from drf-spectacular-sidecar), with nothing from another site."""

import hashlib
from functools import cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import condition

SIDECAR_SCRIPT = "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
# Redoc's sidebar credit shows a logo fetched from Redocly's CDN; an empty image takes its
# place (the credit's text and link stay).
REMOTE_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
EMPTY_IMAGE = "data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22/%3E"


@cache
def offline_redoc() -> tuple[bytes, str]:
    """The sidecar's Redoc bundle without its one request to another site, and its ETag."""
    script = Path(finders.find(SIDECAR_SCRIPT)).read_text(encoding="utf-8")
    body = script.replace(REMOTE_LOGO, EMPTY_IMAGE).encode()
    return body, f'"{hashlib.sha256(body).hexdigest()[:20]}"'


@gzip_page
@cache_control(public=True, max_age=86400)
@condition(etag_func=lambda request: offline_redoc()[1])
def redoc_script(request):
    """Anyone: the script of the API reference page."""
    return HttpResponse(offline_redoc()[0], content_type="text/javascript; charset=utf-8")
