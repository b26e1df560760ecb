"""A refused request (403) is logged once, in one line, without a traceback."""

import logging

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_permission_denied_is_one_concise_log_line(client, member, caplog):
    client.force_login(member)
    with caplog.at_level(logging.WARNING):
        response = client.get(reverse("matching:board"))
    assert response.status_code == 403
    records = [r for r in caplog.records if r.name == "django.request"]
    assert len(records) == 1
    [record] = records
    assert record.getMessage() == f"Forbidden (Permission denied): {reverse('matching:board')}"
    assert record.exc_info is None
    assert "Traceback" not in caplog.text


def _handlers_reached(logger_name: str, record: logging.LogRecord) -> list[logging.Handler]:
    """The handlers that print a record logged at logger_name, as logging.callHandlers walks."""
    reached = []
    logger = logging.getLogger(logger_name)
    while logger:
        reached += [h for h in logger.handlers if record.levelno >= h.level and h.filter(record)]
        logger = logger.parent if logger.propagate else None
    return reached


@pytest.mark.parametrize("debug", [True, False])
def test_a_django_request_warning_reaches_one_console_handler(settings, debug):
    settings.DEBUG = debug
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Forbidden", None, None
    )
    # Exactly StreamHandler: the console handlers of the settings, not pytest's subclasses.
    streams = [
        h for h in _handlers_reached("django.request", record) if type(h) is logging.StreamHandler
    ]
    assert len(streams) == 1


def test_server_errors_keep_their_traceback(caplog):
    logger = logging.getLogger("django.request")
    try:
        raise ValueError("broken")
    except ValueError:
        with caplog.at_level(logging.ERROR):
            logger.error("Internal Server Error: /", exc_info=True, extra={"status_code": 500})
    assert caplog.records[-1].exc_info is not None
