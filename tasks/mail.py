"""Mail through the queue (settings.MAIL_DISPATCH when a broker is configured).

`lib.mail.send_after_commit` renders the messages; `dispatch` stores each as an `OutgoingMail` in
the caller's transaction and queues its delivery on commit. `deliver` sends one message at most
once: under a row lock it skips a message already sent, sends, and records the time; a failure
is recorded and raised, so RQ retries the job later (tasks.queue.RETRY_INTERVALS). Messages whose
job was lost (Redis flushed, enqueue failed) are queued again by `requeue_unsent`, which the
scheduler runs.
"""

import logging
import uuid
from datetime import timedelta

from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from . import queue
from .models import OutgoingMail

logger = logging.getLogger(__name__)


def job_id(mail: OutgoingMail) -> str:
    return f"mail-{mail.key}"


def dispatch(messages: list[EmailMessage]) -> None:
    for message in messages:
        mail = OutgoingMail.objects.create(
            key=uuid.uuid4(),
            subject=message.subject,
            body=message.body,
            from_email=message.from_email or "",
            to=list(message.to),
        )
        queue.enqueue(deliver, mail.pk, job_id=job_id(mail))


def deliver(mail_id: int) -> str:
    """Send stored message `mail_id` unless it was sent already."""
    try:
        with transaction.atomic():
            mail = OutgoingMail.objects.select_for_update().get(pk=mail_id)
            if mail.sent_at is not None:
                return "already sent"
            message = EmailMessage(mail.subject, mail.body, mail.from_email or None, mail.to)
            get_connection(fail_silently=False).send_messages([message])
            mail.sent_at = timezone.now()
            mail.attempts += 1
            mail.last_error = ""
            mail.save(update_fields=["sent_at", "attempts", "last_error"])
    except OutgoingMail.DoesNotExist:
        return "gone"
    except Exception as error:
        OutgoingMail.objects.filter(pk=mail_id).update(
            attempts=F("attempts") + 1, last_error=repr(error)[:2000]
        )
        logger.warning("Sending e-mail %s failed (%r); it will be retried.", mail_id, error)
        raise
    return "sent"


def requeue_unsent(older_than: timedelta = timedelta(minutes=30)) -> int:
    """Queue again every message still unsent after `older_than` (its job may be lost)."""
    stale = OutgoingMail.objects.filter(
        sent_at__isnull=True, created_at__lt=timezone.now() - older_than
    )
    count = 0
    for mail in stale.only("pk", "key"):
        queue.enqueue_now(deliver, mail.pk, job_id=job_id(mail))
        count += 1
    return count
