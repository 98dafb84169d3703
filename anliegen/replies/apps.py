import datetime

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Config(AppConfig):
    name = "anliegen.replies"
    label = "replies"

    def ready(self) -> None:
        from anliegen.lib import periodic
        from anliegen.replies import actions, tasks
        from anliegen.tickets import hooks

        hooks.register("message_added", actions.on_message_added)
        hooks.register_panel(hooks.Panel(name="replies", title=_("Standard replies"),
                                         url_name="replies:panel", order=10))
        periodic.register("replies.retrain_suggestions", tasks.retrain_suggestions,
                          every=datetime.timedelta(hours=6))
