"""An e-mail backend for the worker tests: writes each message to a file in EMAIL_FILE_PATH,
after refusing as many sends as the number in its `fail` file (a flaky SMTP server)."""

from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend


class FlakyFileBackend(BaseEmailBackend):
    def send_messages(self, messages):
        directory = Path(settings.EMAIL_FILE_PATH)
        failures = directory / "fail"
        left = int(failures.read_text() or 0) if failures.exists() else 0
        if left > 0:
            failures.write_text(str(left - 1))
            raise ConnectionRefusedError("the mail server is down (test)")
        for message in messages:
            name = f"{message.to[0]}-{len(list(directory.glob('*.eml')))}.eml"
            (directory / name).write_bytes(message.message().as_bytes())
        return len(messages)
