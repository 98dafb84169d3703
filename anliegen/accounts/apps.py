from django.apps import AppConfig


class Config(AppConfig):
    name = "anliegen.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from anliegen.accounts.middleware import mark_session_seen

        user_logged_in.connect(mark_session_seen, dispatch_uid="anliegen.accounts.mark_session_seen")
