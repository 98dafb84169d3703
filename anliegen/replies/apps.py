import datetime

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Config(AppConfig):
    name = "anliegen.replies"
    label = "replies"

    def ready(self) -> None:
        from anliegen.runtime import periodic
        from anliegen.replies import actions, tasks
        from anliegen.tickets import hooks

        hooks.register("message_added", actions.on_message_added)
        hooks.register_panel(hooks.Panel(name="replies", title=_("Standard replies"),
                                         url_name="replies:panel", order=10))
        hooks.register_nav(hooks.NavEntry(name="replies", label=_("Standard replies"), url_name="replies:list",
                                          order=50))
        hooks.register_nav(hooks.NavEntry(name="docs", label=_("Process docs"), url_name="replies:docs", order=51))
        hooks.register_bulk_action(hooks.BulkAction(name="choose_macro", label=_("Apply a macro…"),
                                                    url_name="replies:bulk_macro", order=10))
        periodic.register("replies.retrain_suggestions", tasks.retrain_suggestions,
                          every=datetime.timedelta(hours=6))
