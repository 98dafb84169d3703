from django.apps import AppConfig


class Config(AppConfig):
    name = "anliegen.phone"
    label = "phone"
