from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Meddelanden")

    def ready(self):
        # The booking engine tells people things through its messages port; the outbox delivers.
        from booking import messages
        from notifications import port

        messages.connect(port)
