from django.db import models
from django.utils.translation import gettext_lazy as _


class OutgoingMail(models.Model):
    """One e-mail handed to the queue: stored in the transaction that caused it (a rollback
    stores nothing), delivered by a worker. `key` is its idempotency key: the job carries it,
    and a message whose `sent_at` is set is never sent again, however often its job runs."""

    key = models.UUIDField(_("idempotency key"), unique=True)
    subject = models.CharField(_("e-mail subject"), max_length=998)
    body = models.TextField(_("e-mail body"))
    from_email = models.CharField(_("from"), max_length=254, blank=True)
    to = models.JSONField(_("to"), default=list)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        indexes = [
            models.Index(
                fields=["created_at"],
                name="tasks_mail_unsent",
                condition=models.Q(sent_at__isnull=True),
            )
        ]

    def __str__(self):
        return f"{self.subject} → {', '.join(self.to)}"
