import datetime

from django.apps import AppConfig


class Config(AppConfig):
    name = "anliegen.portal"
    label = "portal"

    def ready(self) -> None:
        from anliegen.runtime import periodic
        from anliegen.mail.outbound import register_reply_footer
        from anliegen.portal.mail import reply_footer
        from anliegen.portal.tasks import prune_portal

        register_reply_footer(reply_footer)
        periodic.register("portal.prune", prune_portal, every=datetime.timedelta(hours=1))
