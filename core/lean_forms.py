"""``{{ form|lean }}``: a whole form in crispy-forms' Bootstrap 5 shape, at a fraction of its cost.

crispy's ``|crispy`` renders each field through a dozen nested templates: on the case page,
with its twelve forms, that was four fifths of the page's server time. ``lean`` renders each
field with templates/partials/field.html and its widget with core.forms.lean_render. Fields
whose markup crispy builds specially (radio buttons, multiple checkboxes, files) still go
through crispy, so every field looks as it did.

Registered as a template library in config/settings.py (TEMPLATES' "libraries").
"""

from __future__ import annotations

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms, template
from django.template.loader import get_template
from django.utils.html import format_html_join

from core.forms import lean_widgets, mark_invalid

register = template.Library()

CRISPY_FIELDS = (forms.RadioSelect, forms.CheckboxSelectMultiple, forms.FileInput)


@register.filter
def lean(form):
    lean_widgets(form)
    if form.is_bound:
        mark_invalid(form)
    field_template = get_template("partials/field.html")
    parts = [get_template("partials/form_errors.html").render({"form": form}), form.media.render()]
    for field in form:
        if field.is_hidden:
            parts.append(str(field))
        elif isinstance(field.field.widget, CRISPY_FIELDS):
            parts.append(as_crispy_field(field))
        else:
            parts.append(field_template.render({"field": field}))
    return format_html_join("", "{}", ((part,) for part in parts))
