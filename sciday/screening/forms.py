from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sciday.screening.models import WORD_MAX_LENGTH


class WordForm(forms.Form):
    word = forms.CharField(
        label=_("Word"),
        max_length=WORD_MAX_LENGTH * 2,  # the service checks the normalised length
        help_text=_("Matched whatever its case or width: ＡＢＣ, abc and ABC are one word."),
    )
    category = forms.CharField(
        label=pgettext_lazy("sensitive word", "Category"), max_length=50, required=False
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ImportForm(forms.Form):
    text = forms.CharField(
        label=_("Words, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    file = forms.FileField(
        label=_("Or a .txt file"),
        required=False,
        help_text=_("One word per line, UTF-8. Blank lines and words already listed are skipped."),
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,text/plain"}),
    )
    category = forms.CharField(label=_("Category for these words"), max_length=50, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "import_%s")  # the add form on the same page has a category
        super().__init__(*args, **kwargs)
