from django.apps import AppConfig


class Config(AppConfig):
    name = "anliegen.mail"
    label = "mail"

    def ready(self) -> None:
        from anliegen.mail import outbound

        outbound.connect()  # outbound hooks, the outgoing-mail case panel, periodic poll and send
