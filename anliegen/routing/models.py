"""Routing: rules (conditions → actions), assignment per team, agents' skills, business-hours
calendars and SLA policies, the due times of each case, repeat contacts, Quality-Care flags and
the outcomes recorded at the weekly second-level review.

Every row that concerns a case points at tickets.Ticket; tickets never points back."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from anliegen.accounts.models import LANGUAGE_CHOICES, Team, User
from anliegen.lib import readcache
from anliegen.customers.models import Customer, Organisation
from anliegen.tickets.models import Channel, Level, Priority, Ticket


class RoutingSettings(models.Model):
    """One row (pk=1): the thresholds leads tune on the rules page."""

    repeat_threshold = models.PositiveSmallIntegerField(
        _("contacts before second level"), default=3,
        help_text=_("The case moves to second level at this contact about the same concern."))
    repeat_window_days = models.PositiveSmallIntegerField(_("repeat-contact window (days)"), default=30)
    repeat_min_score = models.FloatField(
        _("text similarity needed"), default=0.15,
        help_text=_("0–1; a new case counts as the same concern at or above this score."))
    quality_care_years = models.PositiveSmallIntegerField(_("Quality-Care after years as a customer"), default=5)
    quality_care_hours = models.PositiveSmallIntegerField(_("Quality-Care callback within (hours)"), default=24)
    complaint_words = models.TextField(
        _("words that mark a complaint"), blank=True,
        default="beschwerde, reklamation, unzumutbar, unverschämt, complaint, unacceptable, klage, utilfreds")

    def __str__(self) -> str:
        return "routing settings"

    @classmethod
    def load(cls) -> "RoutingSettings":
        """The settings row (created with the defaults when missing). Read once per mail or
        batch of mails while one is being stored (see anliegen.lib.readcache)."""
        return readcache.cached("routing.settings", cls._read)

    @classmethod
    def _read(cls) -> "RoutingSettings":
        settings, _created = cls.objects.get_or_create(pk=1)
        return settings

    @property
    def complaint_word_list(self) -> list[str]:
        return [w.strip().lower() for w in self.complaint_words.split(",") if w.strip()]


class Rule(models.Model):
    """Conditions (all given ones must hold; empty means "any") and actions, applied in order
    of position when a case is created."""

    position = models.PositiveIntegerField(_("position"), default=0, db_index=True)
    name = models.CharField(_("name"), max_length=150)
    active = models.BooleanField(_("active"), default=True)
    stop_processing = models.BooleanField(_("stop after this rule"), default=False)
    # Conditions
    channel = models.CharField(_("channel is"), max_length=10, choices=Channel.choices, blank=True)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("team is"),
                             help_text=_("The team the case arrived at (or was moved to by an earlier rule)."))
    mailbox = models.CharField(_("arrived at mailbox"), max_length=254, blank=True)
    sender_domain = models.CharField(_("sender domain is"), max_length=300, blank=True,
                                     help_text=_("One or more, comma-separated, e.g. example.org, example.dk"))
    language = models.CharField(_("language is"), max_length=5, choices=LANGUAGE_CHOICES, blank=True)
    subject_words = models.CharField(_("subject contains any of"), max_length=500, blank=True)
    body_words = models.CharField(_("text contains any of"), max_length=500, blank=True)
    min_customer_years = models.PositiveSmallIntegerField(_("customer for at least (years)"), null=True, blank=True)
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="+", verbose_name=_("customer's organisation is"))
    # Actions
    set_team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                                 verbose_name=_("move to team"))
    set_priority = models.PositiveSmallIntegerField(_("set priority"), choices=Priority.choices, null=True,
                                                    blank=True)
    add_tags = models.CharField(_("add tags"), max_length=300, blank=True)
    set_level = models.CharField(_("escalate to level"), max_length=10, blank=True,
                                 choices=[(Level.SECOND, Level.SECOND.label), (Level.LEAD, Level.LEAD.label)])
    set_assignee = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("assign to"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"


class AssignmentMode(models.TextChoices):
    MANUAL = "manual", _("Manual")
    ROUND_ROBIN = "round_robin", _("Round robin")
    LEAST_LOADED = "least_loaded", _("Least loaded")


class TeamRouting(models.Model):
    """How a team's new cases get an agent."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="routing")
    mode = models.CharField(_("assignment"), max_length=20, choices=AssignmentMode.choices,
                            default=AssignmentMode.MANUAL)
    match_language = models.BooleanField(_("prefer agents who speak the case's language"), default=True)
    match_skills = models.BooleanField(_("prefer agents whose skills match the case's tags"), default=False)
    last_assigned = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return f"{self.team}: {self.get_mode_display()}"


class AgentSkill(models.Model):
    """A skill of an agent, named like a case tag (e.g. "router", "billing")."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="skills")
    name = models.CharField(_("skill"), max_length=60)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="unique_agent_skill")]

    def __str__(self) -> str:
        return self.name


class Country(models.TextChoices):
    DE = "DE", _("Germany")
    DK = "DK", _("Denmark")


class BusinessCalendarConfig(models.Model):
    """Opening hours per weekday and the public holidays of a country (and German state)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    country = models.CharField(_("country"), max_length=2, choices=Country.choices, default=Country.DE)
    subdivision = models.CharField(_("state"), max_length=10, blank=True,
                                   help_text=_("German state code for its holidays, e.g. BY, NW, BE."))
    include_optional = models.BooleanField(
        _("also closed on customary days"), default=False,
        help_text=_("Days such as Christmas Eve and New Year's Eve in Denmark."))
    timezone = models.CharField(_("time zone"), max_length=50, default="Europe/Berlin")
    # {"0": [[480, 1080]], ...}: weekday → spans of minutes after midnight
    hours = models.JSONField(default=dict)
    closed_dates = models.JSONField(_("extra closing days"), default=list, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Segment(models.TextChoices):
    ANY = "", _("Any customer")
    BUSINESS = "business", _("Business (with organisation)")
    PRIVATE = "private", _("Private")
    LONG_STANDING = "long_standing", _("Long-standing (Quality-Care years)")


def _hours(minutes: int) -> float:
    return minutes // 60 if minutes % 60 == 0 else round(minutes / 60, 2)


class SLAPolicy(models.Model):
    """Targets in business hours for the cases it applies to; the most specific policy wins."""

    name = models.CharField(_("name"), max_length=150)
    active = models.BooleanField(_("active"), default=True)
    calendar = models.ForeignKey(BusinessCalendarConfig, on_delete=models.PROTECT, related_name="policies",
                                 verbose_name=_("calendar"))
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("team"))
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, null=True, blank=True)
    segment = models.CharField(_("customer segment"), max_length=20, choices=Segment.choices, blank=True)
    first_response_minutes = models.PositiveIntegerField(_("first response within (business minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution within (business minutes)"))
    notify_lead = models.BooleanField(_("on breach: notify the lead"), default=True)
    raise_priority = models.BooleanField(_("on breach: raise priority"), default=False)
    raise_level = models.BooleanField(_("on breach: move up a level"), default=False)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("SLA policy")

    @property
    def first_response_hours(self) -> float:
        """The target in business hours, the unit the policy form and the SLA page use
        (a whole number when it is one, so it shows as "8", not "8.0")."""
        return _hours(self.first_response_minutes)

    @property
    def resolution_hours(self) -> float:
        return _hours(self.resolution_minutes)

    def __str__(self) -> str:
        return self.name


class CaseSLA(models.Model):
    """The due times of one case under its policy, recomputed when the case changes."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="sla")
    policy = models.ForeignKey(SLAPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    first_response_due = models.DateTimeField(null=True, blank=True, db_index=True)
    resolution_due = models.DateTimeField(null=True, blank=True, db_index=True)
    paused = models.BooleanField(default=False)
    first_response_breached_at = models.DateTimeField(null=True, blank=True)
    resolution_breached_at = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"SLA of {self.ticket_id}"


class RepeatContact(models.Model):
    """One concern of one customer that came back: every contact about it is a ContactLink."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    root_ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    escalated_ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    escalated_at = models.DateTimeField(null=True, blank=True)
    first_contact_at = models.DateTimeField()
    last_contact_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"concern of {self.customer_id} from {self.root_ticket_id}"


class ContactKind(models.TextChoices):
    FIRST = "first", _("First contact")
    REOPENED = "reopened", _("Reopened the case")
    FOLLOW_UP = "follow_up", _("Chased without an answer")
    NEW_CASE = "new_case", _("New case about the same concern")


class ContactLink(models.Model):
    repeat = models.ForeignKey(RepeatContact, on_delete=models.CASCADE, related_name="contacts")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    message_id_ref = models.PositiveBigIntegerField(null=True, blank=True)  # tickets.Message pk
    kind = models.CharField(max_length=12, choices=ContactKind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    score = models.FloatField(default=1.0)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["ticket"], name="contactlink_ticket")]

    def __str__(self) -> str:
        return f"{self.kind} on {self.ticket_id}"


class QualityCare(models.Model):
    """A long-standing customer's complaint or repeat contact, called back by second level."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="quality_care")
    reason = models.CharField(max_length=300)
    flagged_at = models.DateTimeField()
    callback_due_at = models.DateTimeField(null=True, blank=True)
    callback_ref = models.PositiveBigIntegerField(null=True, blank=True)  # phone.Callback pk
    booking_error = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"Quality-Care {self.ticket_id}"


class ReviewOutcome(models.TextChoices):
    CONTINUE = "continue", _("Keep at second level")
    SOLVED = "solved", _("Solved")
    BACK = "back", _("Back to first level")
    LEAD = "lead", _("To the lead")


class ReviewEntry(models.Model):
    """What the weekly second-level review decided for a case."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="review_entries")
    author = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=10, choices=ReviewOutcome.choices)
    next_step = models.CharField(_("next step"), max_length=300, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.outcome} for {self.ticket_id}"


readcache.depends_on("routing.settings", RoutingSettings)
readcache.depends_on("routing.rules", Rule, Team)
readcache.depends_on("routing.sla_policies", SLAPolicy, BusinessCalendarConfig)
readcache.depends_on("routing.routed_teams", TeamRouting)
