import datetime

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Config(AppConfig):
    name = "anliegen.phone"
    label = "phone"

    def ready(self) -> None:
        from anliegen.runtime import periodic
        from anliegen.phone.actions import follow_team_change
        from anliegen.phone.tasks import remind_callbacks
        from anliegen.phone.access import is_reception, read_grant_for_calls
        from anliegen.tickets import access, hooks

        hooks.register("ticket_changed", follow_team_change)
        access.register_read_grant(read_grant_for_calls)
        hooks.register_panel(hooks.Panel(name="callbacks", title=_("Callbacks"), url_name="phone:case_callbacks",
                                         order=40))
        hooks.register_panel(hooks.Panel(name="journey", title=_("Customer journey"), url_name="phone:journey_panel",
                                         order=60))
        hooks.register_nav(hooks.NavEntry(name="log_call", label=_("Log a call"), url_name="phone:log_call",
                                          order=40))
        hooks.register_nav(hooks.NavEntry(name="callbacks", label=_("Callbacks"), url_name="phone:callbacks",
                                          order=41))
        hooks.register_nav(hooks.NavEntry(name="my_calls", label=_("My calls"), url_name="phone:my_calls",
                                          order=42, visible=is_reception))
        periodic.register("phone.callback_reminders", remind_callbacks, every=datetime.timedelta(minutes=1))
