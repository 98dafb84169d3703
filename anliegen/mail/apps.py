from django.apps import AppConfig


class Config(AppConfig):
    name = "anliegen.mail"
    label = "mail"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from anliegen.mail import outbound
        from anliegen.tickets import hooks

        outbound.connect()  # outbound hooks, the outgoing-mail case panel, periodic poll and send
        hooks.register_nav(hooks.NavEntry(name="quarantine", label=_("Mail quarantine"),
                                          url_name="mail:quarantine", order=200, visible=hooks.admins_only))
        hooks.register_nav(hooks.NavEntry(name="automatic_mail", label=_("Automatic mail"),
                                          url_name="mail:automatic", order=202, visible=hooks.admins_only))
        hooks.register_nav(hooks.NavEntry(name="unmatched_bounces", label=_("Unmatched bounces"),
                                          url_name="mail:bounces", order=204, visible=hooks.admins_only))
        hooks.register_nav(hooks.NavEntry(name="outgoing_mail", label=_("Outgoing mail"), url_name="mail:outgoing",
                                          order=206, visible=hooks.admins_only))
        hooks.register_nav(hooks.NavEntry(name="mailboxes", label=_("Mailboxes"), url_name="mail:mailboxes",
                                          order=210, visible=hooks.admins_only))
