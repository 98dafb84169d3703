import datetime

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Config(AppConfig):
    name = "anliegen.notifications"
    label = "notifications"

    def ready(self) -> None:
        from anliegen.notifications import handlers, tasks
        from anliegen.runtime import periodic
        from anliegen.tickets import hooks

        hooks.register("ticket_changed", handlers.on_ticket_changed)
        hooks.register("message_added", handlers.on_message_added)
        hooks.register("ticket_viewed", handlers.on_ticket_viewed)
        hooks.register("callback_due", handlers.on_callback_due)
        hooks.register_nav(hooks.NavEntry(name="mentioned", label=_("Mentioned"), url_name="notifications:mentioned",
                                          order=5, section="queues", badge_url_name="notifications:mentioned_count"))
        hooks.register_nav(hooks.NavEntry(name="notifications", label=_("Notifications"),
                                          url_name="notifications:list", order=1,
                                          badge_url_name="notifications:count"))
        periodic.register("notifications.sla_warnings", tasks.warn_slas, every=datetime.timedelta(minutes=1))
