from django import forms
from django.utils.translation import gettext_lazy as _

from anliegen.accounts.models import Team
from anliegen.replies.models import Category, Macro, ProcessDoc, StandardReply
from anliegen.tickets.models import Priority, Status

LANGUAGE_LABELS = {"de": _("German"), "da": _("Danish"), "en": _("English")}


class ReplyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    group = forms.CharField(label=_("Group"), max_length=100, required=False)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    team = forms.ModelChoiceField(label=_("Only for team"), queryset=Team.objects.all(), required=False,
                                  empty_label=_("every team"))
    doc = forms.ModelChoiceField(label=_("Process documentation"), queryset=ProcessDoc.objects.all(),
                                 required=False, empty_label=_("none"))
    keywords = forms.CharField(label=_("When to use (what customers write)"), required=False,
                               widget=forms.Textarea(attrs={"rows": 2}))
    text_de = forms.CharField(label=LANGUAGE_LABELS["de"], required=False, strip=False,
                              widget=forms.Textarea(attrs={"rows": 6}))
    text_da = forms.CharField(label=LANGUAGE_LABELS["da"], required=False, strip=False,
                              widget=forms.Textarea(attrs={"rows": 6}))
    text_en = forms.CharField(label=LANGUAGE_LABELS["en"], required=False, strip=False,
                              widget=forms.Textarea(attrs={"rows": 6}))
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    @classmethod
    def for_reply(cls, reply: StandardReply) -> "ReplyForm":
        initial = {"name": reply.name, "group": reply.group, "category": reply.category, "team": reply.team_id,
                   "doc": reply.doc_id, "keywords": reply.keywords, "active": reply.active}
        for variant in reply.variants.all():
            initial[f"text_{variant.language}"] = variant.text
        return cls(initial=initial)


class MacroForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    reply = forms.ModelChoiceField(label=_("Standard reply"), required=False, empty_label=_("no reply"),
                                   queryset=StandardReply.objects.filter(active=True))
    status = forms.ChoiceField(label=_("Set status"), required=False, choices=[("", _("keep"))] + list(Status.choices))
    priority = forms.TypedChoiceField(label=_("Set priority"), required=False, coerce=int, empty_value=None,
                                      choices=[("", _("keep"))] + list(Priority.choices))
    team = forms.ModelChoiceField(label=_("Move to team"), queryset=Team.objects.all(), required=False,
                                  empty_label=_("keep"))
    add_tags = forms.CharField(label=_("Add tags"), required=False, help_text=_("Comma-separated"))
    remove_tags = forms.CharField(label=_("Remove tags"), required=False, help_text=_("Comma-separated"))
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    @classmethod
    def for_macro(cls, macro: Macro) -> "MacroForm":
        return cls(initial={"name": macro.name, "reply": macro.reply_id, "status": macro.status,
                            "priority": macro.priority or "", "team": macro.team_id,
                            "add_tags": ", ".join(macro.add_tags), "remove_tags": ", ".join(macro.remove_tags),
                            "active": macro.active})


def split_tags(value: str) -> list[str]:
    return [t.strip() for t in (value or "").split(",") if t.strip()]


class SignatureForm(forms.Form):
    text_de = forms.CharField(label=LANGUAGE_LABELS["de"], required=False, widget=forms.Textarea(attrs={"rows": 3}))
    text_da = forms.CharField(label=LANGUAGE_LABELS["da"], required=False, widget=forms.Textarea(attrs={"rows": 3}))
    text_en = forms.CharField(label=LANGUAGE_LABELS["en"], required=False, widget=forms.Textarea(attrs={"rows": 3}))


class DocForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    teams = forms.ModelMultipleChoiceField(label=_("Linked from the queues of"), queryset=Team.objects.all(),
                                           required=False, widget=forms.CheckboxSelectMultiple)
    body = forms.CharField(label=_("Text (Markdown)"), widget=forms.Textarea(attrs={"rows": 18}), strip=False)
    note = forms.CharField(label=_("What changed"), max_length=300, required=False)


class BulkMacroForm(forms.Form):
    macro = forms.ModelChoiceField(label=_("Macro"), queryset=Macro.objects.filter(active=True),
                                   error_messages={"required": _("Choose a macro."),
                                                   "invalid_choice": _("Choose a macro.")})
    numbers = forms.CharField(label=_("Case numbers"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("One per line or comma-separated, e.g. A-100042"))
