"""The e-mail backend of the worker processes started by the integration tests.

Django's file backend, one file per e-mail (a batch sends its e-mails through one
connection, which Django's backend would write to one file; and Django's own file names
may collide within a second), made slow or stuck on demand
through the environment, so that a test can kill the worker in the middle of a fan-out
at a known point:

- `TEST_MAIL_DELAY`: seconds to wait before writing each e-mail;
- `TEST_MAIL_HANG_AFTER`: once that many e-mails are written, the next send hangs (the
  test kills the worker then, before anything of that e-mail is written).
"""

import os
import time
import uuid

from django.core.mail.backends.filebased import EmailBackend


class SlowFileBackend(EmailBackend):
    def open(self):
        return False  # nothing to open: each e-mail gets its own file, in send_messages

    def close(self):
        pass

    def send_messages(self, email_messages):
        for message in email_messages:
            hang_after = os.environ.get("TEST_MAIL_HANG_AFTER")
            if hang_after and len(os.listdir(self.file_path)) >= int(hang_after):
                time.sleep(3600)
            time.sleep(float(os.environ.get("TEST_MAIL_DELAY", "0")))
            path = os.path.join(self.file_path, f"{uuid.uuid4().hex}.eml")
            with open(path, "wb") as self.stream:
                self.write_message(message)
            self.stream = None
        return len(email_messages)
