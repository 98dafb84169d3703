from django.apps import AppConfig


class Config(AppConfig):
    name = "anliegen.mail"
    label = "mail"
