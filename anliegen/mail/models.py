"""Mail: the mailboxes Anliegen reads, every mail it stored (or kept in quarantine), the
outbox of mails it sends, and the small bookkeeping that threading and loop protection need.

Raw mails are kept content-addressed through tickets.storage (raw_sha256), so nothing that
arrived is ever lost, whatever became of it."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from anliegen.accounts.models import Team, User
from anliegen.tickets.models import Message, Ticket


class Source(models.TextChoices):
    IMAP = "imap", _("IMAP")
    SMTP = "smtp", _("SMTP")
    IMPORT = "import", _("Import")
    REPLAY = "replay", _("Replay")


class Mailbox(models.Model):
    """One mailbox Anliegen polls over IMAP; its mail becomes cases of its team."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="mailboxes", verbose_name=_("team"))
    address = models.EmailField(_("address"), help_text=_("The mailbox's own e-mail address."))
    imap_host = models.CharField(_("IMAP host"), max_length=255, blank=True)
    imap_port = models.PositiveIntegerField(_("IMAP port"), default=993)
    imap_user = models.CharField(_("IMAP user"), max_length=255, blank=True)
    imap_password = models.CharField(_("IMAP password"), max_length=255, blank=True)
    imap_folder = models.CharField(_("folder"), max_length=255, default="INBOX")
    use_ssl = models.BooleanField(_("use SSL/TLS"), default=True)
    processed_folder = models.CharField(
        _("move processed mail to"), max_length=255, blank=True,
        help_text=_("Leave empty to only mark processed mail as read."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    send_acknowledgement = models.BooleanField(
        _("acknowledge new cases"), default=False,
        help_text=_("Send the customer a confirmation with the case number when a mail opens a new case."),
    )
    # IMAP bookkeeping for the poller (UIDVALIDITY changes invalidate last_uid).
    uid_validity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(null=True, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Outcome(models.TextChoices):
    CREATED = "created", _("New case")
    APPENDED = "appended", _("Added to a case")
    IGNORED_LOOP = "ignored_loop", _("Mail loop")
    BOUNCE = "bounce", _("Bounce")
    DUPLICATE = "duplicate", _("Duplicate")
    AUTOMATIC = "automatic", _("Automatic mail")


class InboundMail(models.Model):
    """One stored mail. content_hash (SHA-256 of the raw bytes) is unique: the same mail
    delivered twice is stored once."""

    message_id = models.CharField(max_length=300, blank=True, db_index=True)
    content_hash = models.CharField(max_length=64, unique=True)
    mailbox = models.ForeignKey(Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="mails")
    source = models.CharField(max_length=10, choices=Source.choices)
    received_at = models.DateTimeField(db_index=True)
    sender = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_mails")
    # The case message it became ("message_id" is the mail's Message-ID, hence the name).
    ticket_message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+")
    raw_sha256 = models.CharField(max_length=64)
    is_auto_reply = models.BooleanField(default=False)
    is_bounce = models.BooleanField(default=False)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    # How the mail found its case ("references", "token", "subject", "pending", ...), for review.
    threaded_by = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["sender", "received_at"], name="inbound_sender")]

    def __str__(self) -> str:
        return f"{self.message_id or self.content_hash[:12]} ({self.outcome})"


class Quarantine(models.Model):
    """A mail that could not be parsed or stored: kept raw with the reason, until an admin
    replays it (after a fix) or marks it resolved. Nothing is ever dropped."""

    raw_sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(default=0)
    reason = models.TextField()
    source = models.CharField(max_length=10, choices=Source.choices)
    mailbox = models.ForeignKey(Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Best-effort sender and subject read from the raw headers, for the list.
    summary = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField(db_index=True)
    replay_count = models.PositiveIntegerField(default=0)
    last_replayed_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    replayed_inbound = models.ForeignKey(
        InboundMail, null=True, blank=True, on_delete=models.SET_NULL, related_name="replayed_from"
    )

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.raw_sha256[:12]}: {self.reason[:60]}"

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboxKind(models.TextChoices):
    REPLY = "reply", _("Reply")
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement")
    CONFIRMATION = "confirmation", _("Confirmation")
    SIGN_IN = "sign_in", _("Sign-in link")
    NOTIFICATION = "notification", _("Notification to staff")


class Outbox(models.Model):
    """A mail to send, written in the same transaction as what caused it (a reply, a new
    case, a sign-in request); the worker sends it with retries. Every mail Anliegen sends
    goes through here, so the outgoing-mail page lists them all, with their text."""

    # Empty for mail that belongs to no case (a portal sign-in link).
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.CASCADE, related_name="outbox")
    # The reply (or acknowledgement note) this mail carries.
    ticket_message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.CASCADE,
                                       related_name="outbox")
    kind = models.CharField(max_length=20, choices=OutboxKind.choices, default=OutboxKind.REPLY)
    mailbox = models.ForeignKey(Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    from_address = models.CharField(max_length=320, blank=True)
    to = models.TextField()
    cc = models.TextField(blank=True)
    subject = models.CharField(max_length=998)
    # The mail's text as queued (a reply's text with what was added to it); HTML only when
    # the reply had its own, else it is made from the text when sending.
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)
    # Our generated Message-ID (without <>); bounces are matched against it.
    message_id = models.CharField(max_length=300, unique=True)
    in_reply_to = models.CharField(max_length=300, blank=True)
    references = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.message_id} ({self.status})"


class SenderRate(models.Model):
    """Mails per sender address in the current window: breaks mail loops (see ingest)."""

    address = models.CharField(max_length=254, unique=True)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.address}: {self.count}"


class PendingReply(models.Model):
    """A mail that refers to a Message-ID we have not seen (yet). When that original arrives,
    the reply's case is joined with the original's."""

    referenced_id = models.CharField(max_length=300, db_index=True)
    inbound = models.ForeignKey(InboundMail, on_delete=models.CASCADE, related_name="pending_references")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.referenced_id} → {self.ticket_id}"
