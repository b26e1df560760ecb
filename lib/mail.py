"""Templated notification e-mail, sent after the transaction commits.

Every notification of the site goes through `send_after_commit`: one message per recipient,
rendered in the recipient's language (`user.language`), from `<template>_subject.txt` and
`<template>.txt` with the "mail" template engine, which does not HTML-escape (plain text arrives
as typed: `R&D says "yes"`). The messages are rendered at once (an error rolls the work back)
and handed to Django's mail framework only when the surrounding transaction commits: a rollback
sends nothing. With a task queue configured (settings.MAIL_DISPATCH), they go to it instead:
stored in the same transaction and sent by a worker once it commits.
"""

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template import engines
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy, pgettext

from .urls import site_url

ENGINE = "mail"
#: The site's name in each language (a literal, so that the catalogue keeps it).
SITE_NAME = gettext_lazy("Tech Transfer Exchange")


def render(template: str, context: dict, language: str) -> tuple[str, str]:
    """(subject, body) of `template` in `language`, without HTML escaping."""
    engine = engines[ENGINE]
    with translation.override(language):
        context = {"site_name": str(SITE_NAME), "site_url": site_url(), **context}
        subject = engine.get_template(f"{template}_subject.txt").render(context)
        body = engine.get_template(f"{template}.txt").render(context)
        # A header is one line: newlines in a typed title must not break it.
        subject = pgettext("e-mail subject", "[%(site)s] %(subject)s") % {
            "site": context["site_name"],
            "subject": " ".join(subject.split()),
        }
    return subject, body


def render_text(template: str, context: dict, language: str) -> str:
    """One template of the mail engine in `language`: a piece that many messages share (e.g.
    one listing's lines in thousands of digests), rendered once and passed to `render`."""
    with translation.override(language):
        return engines[ENGINE].get_template(template).render(context)


def language_of(user) -> str:
    supported = {code for code, _name in settings.LANGUAGES}
    language = getattr(user, "language", "") or ""
    return language if language in supported else settings.LANGUAGE_CODE


def message_for(template: str, user, context: dict) -> EmailMessage:
    """The message `template` makes for one recipient (addressed to them by name)."""
    subject, body = render(template, {**context, "recipient": user}, language_of(user))
    return EmailMessage(subject, body, None, [user.email])


def send_after_commit(template: str, recipients: Iterable, context: dict | None = None) -> int:
    """Render `template` for each recipient (users; duplicates and inactive users skipped) and
    send the messages once the current transaction commits. Returns how many were queued."""
    seen, messages = set(), []
    for user in recipients:
        if user is None or not user.is_active or not user.email or user.email in seen:
            continue
        seen.add(user.email)
        messages.append(message_for(template, user, context or {}))
    if messages and settings.MAIL_DISPATCH:
        import_string(settings.MAIL_DISPATCH)(messages)  # a queue: stored now, sent by a worker
    elif messages:
        transaction.on_commit(lambda: get_connection().send_messages(messages))
    return len(messages)
