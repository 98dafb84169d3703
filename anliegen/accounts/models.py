"""Staff accounts, teams and team memberships."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

LANGUAGE_CHOICES = [("de", _("German")), ("da", _("Danish")), ("en", _("English"))]


class Role(models.TextChoices):
    AGENT = "agent", _("Agent")
    LEAD = "lead", _("Lead")
    ADMIN = "admin", _("Administrator")


class Availability(models.TextChoices):
    AVAILABLE = "available", _("Available")
    AWAY = "away", _("Away")
    OFFLINE = "offline", _("Offline")


class User(AbstractUser):
    """A member of staff: agent, lead or admin. Customers are not users (see customers)."""

    role = models.CharField(max_length=10, choices=Role.choices, default=Role.AGENT)
    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    # Languages the agent can answer in, e.g. ["de", "en"].
    languages = models.JSONField(_("languages"), default=list, blank=True)
    ui_language = models.CharField(_("interface language"), max_length=5, blank=True, choices=LANGUAGE_CHOICES)
    availability = models.CharField(max_length=10, choices=Availability.choices, default=Availability.AVAILABLE)
    max_open_cases = models.PositiveIntegerField(_("case cap"), null=True, blank=True)
    # Raised by "sign out everywhere": every session signed in before carries an older value
    # in its hash and ends at its next request (see _get_session_auth_hash).
    session_epoch = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.label(self.display_name, self.first_name, self.last_name, self.username)

    @staticmethod
    def label(display_name: str, first_name: str, last_name: str, username: str) -> str:
        """How staff are named on screen (also for lists that read only these columns)."""
        return display_name or f"{first_name} {last_name}".strip() or username

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        if not self.session_epoch:
            return super()._get_session_auth_hash(secret=secret)
        return salted_hmac(
            "anliegen.accounts.User.session", f"{self.password}:{self.session_epoch}",
            secret=secret, algorithm="sha256",
        ).hexdigest()

    @property
    def is_lead(self) -> bool:
        return self.role in (Role.LEAD, Role.ADMIN) or self.is_superuser

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser


# Countries whose numbering plan a phone number typed without its country code is read in.
PHONE_REGION_CHOICES = [("DE", _("Germany")), ("DK", _("Denmark")), ("AT", _("Austria")),
                        ("CH", _("Switzerland")), ("GB", _("United Kingdom"))]


class TeamKind(models.TextChoices):
    RECEPTION = "reception", _("Reception")
    SUPPORT = "support", _("Support")
    SECOND_LEVEL = "second_level", _("Second level")
    LEAD = "lead", _("Lead")


class Team(models.Model):
    """A queue of cases and the agents who work it."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=TeamKind.choices, default=TeamKind.SUPPORT)
    confidential = models.BooleanField(
        _("confidential"), default=False, help_text=_("Only members see this team's cases.")
    )
    default_language = models.CharField(max_length=5, choices=LANGUAGE_CHOICES, default="de")
    email = models.EmailField(_("team address"), blank=True)
    phone_region = models.CharField(
        _("country for phone numbers"), max_length=2, blank=True, choices=PHONE_REGION_CHOICES,
        help_text=_("A number typed without its country code is read as this country's. "
                    "Empty: the site's country."))
    members = models.ManyToManyField(User, through="Membership", related_name="teams")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    is_team_lead = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="unique_membership")]

    def __str__(self) -> str:
        return f"{self.user} in {self.team}"


class SignInFailureKind(models.TextChoices):
    ACCOUNT = "account", _("Account")
    ADDRESS = "address", _("Address")


class SignInFailure(models.Model):
    """A failed staff sign-in, counted once for the account name typed (known or not) and once
    for the address it came from. Too many within the window pause signing in for that name
    or address (see actions.sign_in_paused_until); rows older than a day are deleted."""

    kind = models.CharField(max_length=10, choices=SignInFailureKind.choices)
    key = models.CharField(max_length=150)  # the lower-cased account name, or the address
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "key", "at"], name="sign_in_failure_recent")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} {self.at:%Y-%m-%d %H:%M}"
