"""Callbacks: promises to phone a customer back at a given time, worked by a team or an agent.

A call taken at reception is not a model of its own: it is the customer's message on the phone
channel (tickets.Message, kind inbound, channel phone; who took it is in meta["call"]), so the
case's conversation, search and repeat-contact detection treat it like any other contact."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from anliegen.accounts.models import Team, User
from anliegen.tickets.models import Ticket


class CallbackStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class CallbackOutcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    NO_ANSWER = "no_answer", _("No answer")
    RETRY = "retry", _("Try again")


class CallbackKind(models.TextChoices):
    CALLBACK = "callback", _("Callback")
    QUALITY_CARE = "quality_care", _("Quality-Care")


class Callback(models.Model):
    """Phone the customer of a case back by due_at. One row per attempt: "try again" closes this
    one and books the next, which points back at it and carries the attempt count on."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="callbacks", verbose_name=_("case"))
    kind = models.CharField(_("kind"), max_length=20, choices=CallbackKind.choices, default=CallbackKind.CALLBACK)
    due_at = models.DateTimeField(_("due at"))
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="callbacks", verbose_name=_("team"))
    agent = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="callbacks",
                              verbose_name=_("agent"))
    # The number to call, copied at booking time (E.164; may be empty if the customer has none).
    phone_number = models.CharField(_("number"), max_length=32, blank=True)
    note = models.TextField(_("note"), blank=True)
    reminder_at = models.DateTimeField(_("reminder at"), null=True, blank=True)
    # Set by the reminder job once it has notified the team (or given up on a bad row).
    reminded_at = models.DateTimeField(null=True, blank=True)
    reminder_error = models.CharField(max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=CallbackStatus.choices,
                              default=CallbackStatus.OPEN)
    outcome = models.CharField(_("outcome"), max_length=10, choices=CallbackOutcome.choices, blank=True)
    outcome_note = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    previous = models.OneToOneField("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next")
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_label = models.CharField(max_length=100, blank=True)  # "routing", "system", ... when not staff
    created_at = models.DateTimeField()
    done_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["status", "due_at"], name="callback_open_due"),
            models.Index(fields=["status", "reminded_at", "reminder_at"], name="callback_reminder"),
            models.Index(fields=["ticket", "status"], name="callback_ticket"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.ticket_id} {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.status == CallbackStatus.OPEN
