from django.apps import AppConfig


class Config(AppConfig):
    name = "anliegen.tickets"
    label = "tickets"
