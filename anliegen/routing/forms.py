"""Forms of the routing pages. They validate the shape of the input; the actions validate the
business rules (loops, conflicts, calendars without hours) and their messages land on the form."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from anliegen.accounts.models import Team, User
from anliegen.routing.models import (
    AssignmentMode,
    BusinessCalendarConfig,
    Country,
    ReviewOutcome,
    RoutingSettings,
    Rule,
    SLAPolicy,
)
from anliegen.routing.sla.calendar import format_hours


class RuleForm(forms.ModelForm):
    class Meta:
        model = Rule
        fields = ["name", "active", "stop_processing", "channel", "team", "mailbox", "sender_domain", "language",
                  "subject_words", "body_words", "min_customer_years", "organisation", "set_team", "set_priority",
                  "add_tags", "set_level", "set_assignee"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["set_assignee"].queryset = User.objects.filter(is_active=True)  # type: ignore[attr-defined]

    CONDITIONS = ["channel", "team", "mailbox", "sender_domain", "language", "subject_words", "body_words",
                  "min_customer_years", "organisation"]
    ACTIONS = ["set_team", "set_priority", "add_tags", "set_level", "set_assignee"]

    def condition_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.CONDITIONS]

    def action_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.ACTIONS]

    def _post_clean(self) -> None:  # skip the model's full_clean on the instance; save_rule validates
        pass


class DryRunForm(forms.Form):
    number = forms.CharField(label=_("Case number"), max_length=30)


class TeamRoutingForm(forms.Form):
    mode = forms.ChoiceField(label=_("Assignment"), choices=AssignmentMode.choices)
    match_language = forms.BooleanField(label=_("Match language"), required=False)
    match_skills = forms.BooleanField(label=_("Match skills"), required=False)


class SkillsForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Agent"), queryset=User.objects.filter(is_active=True))
    skills = forms.CharField(label=_("Skills (comma-separated, like case tags)"), required=False, max_length=500)


class RoutingSettingsForm(forms.ModelForm):
    class Meta:
        model = RoutingSettings
        fields = ["repeat_threshold", "repeat_window_days", "repeat_min_score", "quality_care_years",
                  "quality_care_hours", "complaint_words"]
        widgets = {"complaint_words": forms.Textarea(attrs={"rows": 2})}


class CalendarForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    country = forms.ChoiceField(label=_("Country"), choices=Country.choices)
    subdivision = forms.CharField(label=_("State (Germany)"), max_length=10, required=False,
                                  help_text=_("e.g. BY, NW, BE; empty for national holidays only"))
    include_optional = forms.BooleanField(label=_("Also closed on customary days (e.g. Christmas Eve in Denmark)"),
                                          required=False)
    timezone = forms.CharField(label=_("Time zone"), max_length=50, initial="Europe/Berlin")
    hours = forms.CharField(label=_("Opening hours"), widget=forms.Textarea(attrs={"rows": 5}),
                            initial="mon-fri 08:00-18:00",
                            help_text=_("One line per weekday or range, e.g. “mon-fri 08:00-12:00, 13:00-17:00”."))
    closed_dates = forms.CharField(label=_("Extra closing days"), required=False,
                                   help_text=_("Dates like 2026-12-24, comma-separated"))

    def clean_closed_dates(self) -> list[datetime.date]:
        dates = []
        for part in self.cleaned_data["closed_dates"].replace("\n", ",").split(","):
            if part.strip():
                try:
                    dates.append(datetime.date.fromisoformat(part.strip()))
                except ValueError:
                    raise forms.ValidationError(_("%(value)s is not a date like 2026-12-24.") % {"value": part.strip()})
        return dates

    @classmethod
    def for_calendar(cls, calendar: BusinessCalendarConfig) -> "CalendarForm":
        hours = {int(k): [tuple(s) for s in v] for k, v in calendar.hours.items()}
        return cls(initial={"name": calendar.name, "country": calendar.country, "subdivision": calendar.subdivision,
                            "include_optional": calendar.include_optional, "timezone": calendar.timezone,
                            "hours": format_hours(hours), "closed_dates": ", ".join(calendar.closed_dates)})


class PolicyForm(forms.ModelForm):
    first_response_hours = forms.DecimalField(label=_("First response within (business hours)"), min_value=0,
                                              max_digits=6, decimal_places=2)
    resolution_hours = forms.DecimalField(label=_("Resolution within (business hours)"), min_value=0,
                                          max_digits=6, decimal_places=2)

    class Meta:
        model = SLAPolicy
        fields = ["name", "active", "calendar", "team", "priority", "segment", "notify_lead", "raise_priority",
                  "raise_level"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        instance = self.instance
        if instance and instance.pk:
            self.fields["first_response_hours"].initial = instance.first_response_minutes / 60
            self.fields["resolution_hours"].initial = instance.resolution_minutes / 60
        self.fields["team"].queryset = Team.objects.all()  # type: ignore[attr-defined]

    def _post_clean(self) -> None:
        pass


class ReviewOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ReviewOutcome.choices)
    next_step = forms.CharField(label=_("Next step"), max_length=300, required=False)
