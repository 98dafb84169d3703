from django.apps import AppConfig


class Config(AppConfig):
    name = "anliegen.runtime"
    label = "runtime"
