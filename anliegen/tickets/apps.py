from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Config(AppConfig):
    name = "anliegen.tickets"
    label = "tickets"

    def ready(self) -> None:
        from anliegen.tickets import hooks

        hooks.register_nav(hooks.NavEntry(name="new_case", label=_("New case"), url_name="tickets:new", order=10))
        hooks.register_nav(hooks.NavEntry(name="staff", label=_("Staff"), url_name="accounts:staff", order=190,
                                          visible=hooks.admins_only))
        hooks.register_nav(hooks.NavEntry(name="teams", label=_("Teams"), url_name="accounts:teams", order=191,
                                          visible=hooks.admins_only))
        hooks.register_nav(hooks.NavEntry(name="lead", label=_("Lead's view"), url_name="tickets:lead",
                                          order=100, visible=hooks.leads_only))
