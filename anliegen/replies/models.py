"""Standard replies with language variants, macros, signatures, process documentation, and
the picks agents make (from which suggested replies learn)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from anliegen.accounts.models import LANGUAGE_CHOICES, Team, User
from anliegen.tickets.models import Message, Priority, Status, Ticket


class Category(models.TextChoices):
    GENERAL = "general", _("Standard reply")
    DECLINE = "decline", _("Polite decline")


class ProcessDoc(models.Model):
    """A page of process documentation. Its text lives in versions; the newest is current."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    teams = models.ManyToManyField(Team, blank=True, related_name="process_docs", verbose_name=_("teams"))
    # Copies of the newest version, for lists and search.
    body = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class DocVersion(models.Model):
    doc = models.ForeignKey(ProcessDoc, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    author = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["doc", "-number"]
        constraints = [models.UniqueConstraint(fields=["doc", "number"], name="unique_doc_version")]

    def __str__(self) -> str:
        return f"{self.doc} v{self.number}"


class StandardReply(models.Model):
    """A named answer with one text per language; variables like {{ customer.name }} are
    filled in by replies.rendering (never by the template engine)."""

    name = models.CharField(_("name"), max_length=150)
    group = models.CharField(_("group"), max_length=100, blank=True)
    category = models.CharField(_("category"), max_length=10, choices=Category.choices, default=Category.GENERAL)
    # Optional: only offered on this team's cases. Empty: every team.
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="standard_replies",
                             verbose_name=_("team"))
    # What customers write when this reply fits; helps suggestions before any agent picked it.
    keywords = models.TextField(_("when to use"), blank=True)
    doc = models.ForeignKey(ProcessDoc, null=True, blank=True, on_delete=models.SET_NULL, related_name="replies",
                            verbose_name=_("process documentation"))
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["group", "name"]

    def __str__(self) -> str:
        return self.name


class ReplyVariant(models.Model):
    reply = models.ForeignKey(StandardReply, on_delete=models.CASCADE, related_name="variants")
    language = models.CharField(max_length=5, choices=LANGUAGE_CHOICES)
    text = models.TextField()

    class Meta:
        ordering = ["reply", "language"]
        constraints = [models.UniqueConstraint(fields=["reply", "language"], name="unique_reply_language")]

    def __str__(self) -> str:
        return f"{self.reply} ({self.language})"


class Macro(models.Model):
    """A standard reply plus field changes, applied in one click (or to many cases)."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    reply = models.ForeignKey(StandardReply, null=True, blank=True, on_delete=models.PROTECT, related_name="macros",
                              verbose_name=_("standard reply"))
    status = models.CharField(_("set status"), max_length=10, choices=Status.choices, blank=True)
    priority = models.PositiveSmallIntegerField(_("set priority"), choices=Priority.choices, null=True, blank=True)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("move to team"))
    add_tags = models.JSONField(_("add tags"), default=list, blank=True)
    remove_tags = models.JSONField(_("remove tags"), default=list, blank=True)
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Signature(models.Model):
    """Closing lines appended to rendered replies: one per agent and language, one per team
    and language. Exactly one of user and team is set."""

    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="signatures")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="signatures")
    language = models.CharField(max_length=5, choices=LANGUAGE_CHOICES)
    text = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "language"], condition=models.Q(user__isnull=False),
                                    name="unique_user_signature"),
            models.UniqueConstraint(fields=["team", "language"], condition=models.Q(team__isnull=False),
                                    name="unique_team_signature"),
            models.CheckConstraint(condition=models.Q(user__isnull=True) ^ models.Q(team__isnull=True),
                                   name="signature_user_xor_team"),
        ]

    def __str__(self) -> str:
        return f"{self.user or self.team} ({self.language})"


class ReplyPick(models.Model):
    """An agent chose this standard reply for this case (and its latest customer message)."""

    reply = models.ForeignKey(StandardReply, on_delete=models.CASCADE, related_name="picks")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    language = models.CharField(max_length=5, blank=True)
    via = models.CharField(max_length=20, default="picker")  # picker, suggestion, macro
    created_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.reply} on {self.ticket_id}"


class SuggestionModel(models.Model):
    """The latest model trained on ReplyPicks (scikit-learn, pickled): each process loads the
    newest row when its id changes."""

    trained_at = models.DateTimeField()
    picks = models.PositiveIntegerField()
    classes = models.PositiveIntegerField()
    blob = models.BinaryField()

    class Meta:
        ordering = ["-trained_at", "-id"]
