import datetime

from django.apps import AppConfig


class Config(AppConfig):
    name = "anliegen.portal"
    label = "portal"

    def ready(self) -> None:
        from anliegen.runtime import periodic
        from anliegen.portal.tasks import prune_portal

        periodic.register("portal.prune", prune_portal, every=datetime.timedelta(hours=1))
