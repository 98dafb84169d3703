"""What a member of staff is told about: a case assigned to them, a customer's reply on their
case, a mention in a note, a callback due, an SLA about to breach; and what each person wants."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from anliegen.accounts.models import User
from anliegen.tickets.models import Ticket


class Kind(models.TextChoices):
    ASSIGNED = "assigned", _("A case was assigned to me")
    CUSTOMER_REPLY = "customer_reply", _("The customer replied on my case")
    MENTION = "mention", _("A colleague mentioned me in a note")
    CALLBACK_DUE = "callback_due", _("A callback of mine is due")
    SLA_WARNING = "sla_warning", _("An SLA on my case is about to be breached")


class Notification(models.Model):
    """One thing one person is told. (recipient, key) is unique: the same occasion (this
    message, this assignment, this due time) never makes a second notification or mail."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    key = models.CharField(max_length=200)
    # Kind-specific facts for the text (a due time, the SLA target), rendered in the reader's language.
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    in_app = models.BooleanField(default=True)
    by_mail = models.BooleanField(default=False)  # the person wants this kind by mail too
    mailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="notification_once")]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox")]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"


class Preference(models.Model):
    """How one person wants to hear of one kind of notification. No row: in the app, no mail."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    in_app = models.BooleanField(_("in the app"), default=True)
    by_mail = models.BooleanField(_("by e-mail"), default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}"


def describe(row: Notification) -> str:
    """The line shown (and mailed) for a notification, in the active language."""
    from django.utils import formats
    from django.utils.dateparse import parse_datetime
    from django.utils.timezone import localtime
    from django.utils.translation import gettext as _

    who = str(row.actor) if row.actor else _("Someone")
    due_text = ""
    due = parse_datetime(str(row.detail.get("due_at", ""))) if row.detail else None
    if due is not None:
        due_text = formats.date_format(localtime(due), "SHORT_DATETIME_FORMAT")
    if row.kind == Kind.ASSIGNED:
        return _("%(who)s assigned this case to you.") % {"who": who} if row.actor else _(
            "This case was assigned to you.")
    if row.kind == Kind.CUSTOMER_REPLY:
        return _("The customer replied.")
    if row.kind == Kind.MENTION:
        return _("%(who)s mentioned you in a note.") % {"who": who}
    if row.kind == Kind.CALLBACK_DUE:
        return _("A callback is due at %(when)s.") % {"when": due_text}
    if row.kind == Kind.SLA_WARNING:
        if row.detail.get("target") == "first_response":
            return _("The first response is due at %(when)s.") % {"when": due_text}
        return _("The resolution is due at %(when)s.") % {"when": due_text}
    return str(row.get_kind_display())
