"""Cases ("tickets"), their messages and attachments, the history of every change and the
log of every read. The ground every feature app stands on: this module imports none of them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from anliegen.accounts.models import Team, User
from anliegen.customers.models import Customer

NUMBER_OFFSET = 100000


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending")
    SOLVED = "solved", _("Solved")
    CLOSED = "closed", _("Closed")


ACTIVE_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING)
DONE_STATUSES = (Status.SOLVED, Status.CLOSED)


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


class Level(models.TextChoices):
    FIRST = "first", _("First level")
    SECOND = "second", _("Second level")
    LEAD = "lead", _("Lead")


LEVEL_ORDER = [Level.FIRST, Level.SECOND, Level.LEAD]


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    PORTAL = "portal", _("Portal")
    WEBFORM = "webform", _("Web form")
    INTERNAL = "internal", _("Internal")


class Tag(models.Model):
    name = models.CharField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Ticket(models.Model):
    """A customer's concern. Its number (A-100042) is derived from the primary key."""

    subject = models.CharField(_("subject"), max_length=300)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("team"))
    assignee = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_tickets",
        verbose_name=_("assignee"),
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, default=Level.FIRST)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("customer"))
    tags = models.ManyToManyField(Tag, blank=True, related_name="tickets")
    language = models.CharField(_("language"), max_length=5, blank=True)
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField()
    # What the queue sorts by: the last message or change a human should see.
    last_activity_at = models.DateTimeField()
    first_response_at = models.DateTimeField(null=True, blank=True)
    solved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged")
    # The first-level team a case came from when escalation moved it to second level: its
    # members still see the case (they follow it), and "back to first level" returns it there.
    escalated_from = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                       verbose_name=_("escalated from"))
    message_count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["team", "status", "-last_activity_at", "-id"], name="ticket_queue"),
            models.Index(fields=["assignee", "status", "-last_activity_at", "-id"], name="ticket_mine"),
            models.Index(fields=["customer", "-created_at"], name="ticket_customer"),
            models.Index(fields=["-last_activity_at", "-id"], name="ticket_activity"),
            # The lead's view reads only active cases: counted per team, status, level and
            # assignee from this index alone, and its two lists seek their own small indexes.
            models.Index(fields=["team", "status", "level", "assignee"], name="ticket_active_load",
                         condition=models.Q(status__in=["new", "open", "pending"])),
            models.Index(fields=["last_activity_at", "id"], name="ticket_active_lead_level",
                         condition=models.Q(status__in=["new", "open", "pending"], level="lead")),
            models.Index(fields=["created_at", "id"], name="ticket_unanswered",
                         condition=models.Q(status__in=["new", "open", "pending"], first_response_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    @property
    def number(self) -> str:
        return format_number(self.pk)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


def format_number(pk: int) -> str:
    return f"{settings.CASE_NUMBER_PREFIX}-{NUMBER_OFFSET + pk}"


def parse_number(value: str) -> int | None:
    """The primary key for a case number like "A-100042" (or "100042"); None if malformed."""
    text = value.strip().upper().lstrip("#")
    prefix = settings.CASE_NUMBER_PREFIX.upper() + "-"
    if text.startswith(prefix):
        text = text[len(prefix):]
    if not text.isdigit():
        return None
    pk = int(text) - NUMBER_OFFSET
    return pk if pk > 0 else None


class MessageKind(models.TextChoices):
    INBOUND = "inbound", _("From the customer")
    REPLY = "reply", _("Reply")
    NOTE = "note", _("Internal note")


class Message(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=10, choices=MessageKind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    author_user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    author_customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    # Sender as shown (e.g. the mail's From), kept even when the author is unknown.
    sender = models.CharField(max_length=320, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)  # already sanitised
    # "de", "da", "en", "other" or "": given by the caller, or detected from a customer's text
    # before the message is stored (tickets.actions.customer_language).
    language = models.CharField(max_length=5, blank=True)
    # Not stored: how sure the detection was (1.0 when the language was given), for the hooks.
    language_confidence: float = 1.0
    # Mail Message-ID without brackets, for threading (inbound and our own outbound).
    message_id = models.CharField(max_length=300, blank=True, db_index=True)
    created_at = models.DateTimeField(db_index=True)
    meta = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="message_ticket")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.ticket_id}"

    @property
    def is_public(self) -> bool:
        return self.kind != MessageKind.NOTE

    @property
    def is_call(self) -> bool:
        """A call note: the agent's record of a call with the customer (author_user took it),
        never the customer's own words. The portal shows it as "Phone call on <date>" with
        the summary the agent chose to share (meta["call"]["summary"]), if any."""
        return self.kind == MessageKind.INBOUND and self.channel == Channel.PHONE

    @property
    def call_summary(self) -> str:
        call = self.meta.get("call") if isinstance(self.meta, dict) else None
        return str(call.get("summary") or "") if isinstance(call, dict) else ""


class Attachment(models.Model):
    """A file on a message, stored once on disk under its SHA-256 (see tickets.storage)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=150)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    content_id = models.CharField(max_length=300, blank=True)
    inline = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.filename


class Event(models.Model):
    """One change to a case: who, what, before, after, when (and why, where given)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # For changes not made by staff: "customer", "mail", "system", "routing", ...
    actor_label = models.CharField(max_length=100, blank=True)
    kind = models.CharField(max_length=40)
    field = models.CharField(max_length=40, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="event_ticket")]

    def __str__(self) -> str:
        return f"{self.kind} on {self.ticket_id}"


class AccessLog(models.Model):
    """Every read of a case: by whom (staff user or customer), through which door, when."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="access_log")
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    via = models.CharField(max_length=20)  # web, api, portal, export
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["ticket", "at"], name="access_ticket")]


class Presence(models.Model):
    """Who has a case open right now, and who is typing in it (collision notice)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="presence")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField()
    typing_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "user"], name="unique_presence")]


class FormSubmission(models.Model):
    """A one-time form (anliegen.lib.onetime) that was sent: its token's hash (unique) and what
    it created, so the same form sent again creates nothing new. Staff forms and the portal's
    alike; purpose names the form ("reply", "note", "new_case", the portal's "concern", ...)."""

    token_hash = models.CharField(max_length=64, unique=True)
    purpose = models.CharField(max_length=20)
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.purpose} submission {self.created_at:%Y-%m-%d %H:%M}"
