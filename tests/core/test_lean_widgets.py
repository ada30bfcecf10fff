"""core.forms.lean_render writes Django's own widget templates in Python: the HTML must be the
same as Django's, escaping included, or the case list's filters would change under the user."""

import datetime as dt
import re

import pytest
from django import forms

from core.forms import LeanFields, lean_render

HOSTILE = '"><script>alert(1)</script>'


class Everything(forms.Form):
    text = forms.CharField(widget=forms.TextInput(attrs={"autocomplete": "off", "required": True}))
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    flag = forms.BooleanField(required=False)
    number = forms.IntegerField()
    choice = forms.ChoiceField(
        choices=[("", "Semua"), ("a", "A & B"), ("Grup <1>", [("b", HOSTILE), ("c", "C"), ("a", "A lagi")])],
        required=False,
    )
    hidden = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(widget=forms.Textarea)
    many = forms.MultipleChoiceField(choices=[("1", "Satu"), ("2", "Dua"), ("3", HOSTILE)], required=False)
    maybe = forms.NullBooleanField()
    numbered = forms.TypedChoiceField(choices=[(None, "—"), (1, "1"), (2, "2")], coerce=int, required=False)


DATA = [
    {},
    {
        "text": HOSTILE,
        "day": "2026-12-01",
        "flag": "on",
        "number": "7",
        "choice": "b",
        "hidden": HOSTILE,
        "note": HOSTILE,
        "many": ["1", "3"],
        "maybe": "true",
        "numbered": "2",
    },
    # A value offered twice: a single select marks only its first option selected.
    {"text": "x", "day": "bukan tanggal", "number": "x", "choice": "a"},
    {"choice": "zz", "many": ["9"], "numbered": "x"},
]


@pytest.mark.parametrize("data", DATA)
def test_each_widget_renders_as_django_renders_it(data):
    form = Everything(data or None, initial={"day": dt.date(2026, 1, 2)})
    for bound in form:
        widget = bound.field.widget
        value = bound.value()
        attrs = bound.build_widget_attrs({"id": bound.auto_id})
        django_html = type(widget).render(widget, bound.html_name, value, attrs)
        assert lean_render(widget, bound.html_name, value, attrs) == django_html


def test_a_lean_form_renders_as_the_plain_form():
    class Lean(LeanFields, Everything):
        pass

    data = DATA[1]
    lean, plain = Lean(data), Everything(data)
    for name in plain.fields:
        plain.fields[name].widget.attrs = dict(lean.fields[name].widget.attrs)
    lean.is_valid(), plain.is_valid()
    for name in plain.fields:
        plain.fields[name].widget.attrs = dict(lean.fields[name].widget.attrs)
        assert str(lean[name]) == str(plain[name])
    assert "<script>" not in str(lean["text"]) + str(lean["choice"])


class Report(forms.Form):
    name = forms.CharField(help_text="Nama lengkap")
    where = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        raise forms.ValidationError("Periksa lagi <isian>.")


def test_the_lean_filter_renders_a_form_in_crispys_shape():
    from django.template import Context, Template

    form = Report({"name": "", "where": "a", "token": HOSTILE})
    html = Template("{% load lean_forms %}{{ form|lean }}").render(Context({"form": form}))
    # The form's own error, escaped, in crispy's alert.
    assert 'class="alert alert-block alert-danger"' in html and "Periksa lagi &lt;isian&gt;." in html
    # A required field: its wrapper, label with crispy's asterisk, invalid widget, error, help.
    assert 'id="div_id_name" class="mb-3"' in html
    assert 'class="form-label requiredField" for="id_name">Name<span class="asteriskField">*</span>' in html
    assert 'class="form-control is-invalid"' in html and 'aria-invalid="true"' in html
    assert re.search(r'<p id="error_1_id_name" class="invalid-feedback"><strong>[^<]+</strong></p>', html)
    assert '<div id="id_name_helptext" class="form-text">Nama lengkap</div>' in html
    # Radio buttons go through crispy itself; a hidden field is only its input, escaped.
    assert 'class="form-check-input"' in html and 'type="radio"' in html
    assert 'type="hidden" name="token" value="&quot;&gt;&lt;script&gt;' in html and "<script>" not in html


def test_a_copied_lean_widget_renders_itself():
    """Fields, and so widgets, are deep-copied per form: the copy must render its own choices."""
    import copy

    from core.forms import lean_widgets

    class Lean(forms.Form):
        choice = forms.ChoiceField(choices=[("a", "A")])
        flag = forms.BooleanField(required=False)

    form = Lean()
    lean_widgets(form)
    copied = copy.deepcopy(form.fields["choice"])
    copied.choices = [("b", "B")]
    html = copied.widget.render("choice", "b")
    assert '<option value="b" selected>B</option>' in html and "A</option>" not in html
    assert type(copied.widget).__name__ == "Select" and form["flag"].widget_type == "checkbox"
