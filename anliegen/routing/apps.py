import datetime

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Config(AppConfig):
    name = "anliegen.routing"
    label = "routing"
    verbose_name = _("Routing, SLAs and escalation")

    def ready(self) -> None:
        from anliegen.accounts import hooks as staff_hooks
        from anliegen.runtime import periodic
        from anliegen.routing import handlers, tasks
        from anliegen.tickets import hooks

        hooks.register("ticket_created", handlers.on_ticket_created, order=hooks.DECIDE)
        hooks.register("message_added", handlers.on_message_added, order=hooks.DECIDE)
        hooks.register("reply_added", handlers.on_reply_added, order=hooks.DECIDE)
        hooks.register("ticket_changed", handlers.on_ticket_changed, order=hooks.DECIDE)
        from anliegen.routing.sla.compute import opening_hours

        hooks.register_opening_hours(opening_hours)
        hooks.register_panel(hooks.Panel(name="routing", title=_("Routing and SLA"), url_name="routing:panel",
                                         order=20))
        hooks.register_nav(hooks.NavEntry(name="review", label=_("Second-level review"), url_name="routing:review",
                                          order=110, visible=hooks.leads_only))
        hooks.register_nav(hooks.NavEntry(name="rules", label=_("Routing rules"), url_name="routing:rules",
                                          order=120, visible=hooks.leads_only))
        hooks.register_nav(hooks.NavEntry(name="sla", label=_("SLAs"), url_name="routing:sla", order=130,
                                          visible=hooks.leads_only))
        staff_hooks.register_staff_panel(staff_hooks.StaffPanel(name="skills", title=_("Skills"),
                                                                url_name="routing:agent_skills"))
        periodic.register("routing.check_slas", tasks.check_slas, every=datetime.timedelta(minutes=1))
        periodic.register("routing.retry_quality_care", tasks.retry_quality_care,
                          every=datetime.timedelta(minutes=15))
