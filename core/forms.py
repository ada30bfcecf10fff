"""Forms rendered without crispy-forms where it costs too much (templates/partials/field.html)."""

from __future__ import annotations

from django import forms
from django.forms.widgets import ChoiceWidget
from django.utils.html import conditional_escape as esc
from django.utils.safestring import SafeString


class LeanFields:
    """Gives each widget Bootstrap 5's class, as crispy-forms' template pack would, so the form
    renders with templates/partials/field.html, and renders the widgets without the template
    engine (lean_render). A field with errors is marked invalid."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        lean_widgets(self)

    def full_clean(self):
        super().full_clean()
        mark_invalid(self)


def widget_class(widget) -> str:
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"


def lean_widgets(form) -> None:
    """Bootstrap's class and lean_render on each widget of the form, once."""
    for field in form.fields.values():
        widget = field.widget
        if getattr(type(widget), "lean", False):
            continue
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {widget_class(widget)}".strip()
        widget.__class__ = lean_class(type(widget))


_LEAN_CLASSES: dict[type, type] = {}


def lean_class(cls: type) -> type:
    """The widget class with lean_render as its render. A subclass rather than a function set on
    the widget, so that a copy of the widget (fields are deep-copied per form) renders itself.
    It keeps the class's name: BoundField.widget_type is read from it."""
    if cls not in _LEAN_CLASSES:

        def render(self, name, value, attrs=None, renderer=None):
            return lean_render(self, name, value, attrs, renderer)

        _LEAN_CLASSES[cls] = type(cls.__name__, (cls,), {"lean": True, "render": render})
    return _LEAN_CLASSES[cls]


def django_render(widget, name, value, attrs, renderer):
    """The widget rendered by its Django class, through its template."""
    cls = type(widget)
    while cls.__dict__.get("lean"):
        cls = cls.__bases__[0]
    return cls.render(widget, name, value, attrs, renderer)


def mark_invalid(form) -> None:
    """A field with errors is marked invalid (Bootstrap's class, and for screen readers)."""
    for name in form.errors:
        if name in form.fields:
            attrs = form.fields[name].widget.attrs
            if "is-invalid" not in attrs.get("class", "").split():
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
            attrs["aria-invalid"] = "true"


# Django renders every widget, and every <option> of a select, through the template engine: on
# the case list's filters that was a quarter of the page's server time. These are Django's own
# templates (django/forms/widgets/{input,textarea,select,select_option}.html) written out in
# Python, so the HTML is the same; a widget with any other template renders as Django renders it.
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in ("text", "date", "email", "number", "tel", "url", "search", "password", "hidden", "checkbox")
)
SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"
TEXTAREA_TEMPLATE = "django/forms/widgets/textarea.html"


def html_attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: False leaves an attribute out, True writes its name only.
    Escaped as the template escapes (conditional_escape: a safe string is kept as it is)."""
    return "".join(
        f" {esc(name)}" if value is True else f' {esc(name)}="{esc(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def plain_select(widget) -> bool:
    """A select whose options are Django's own: neither its options' markup nor how it builds
    them is changed (a subclass that does either renders as Django renders it)."""
    cls = type(widget)
    return (
        not widget.option_inherits_attrs
        and widget.option_template_name == OPTION_TEMPLATE
        and cls.optgroups is ChoiceWidget.optgroups
        and cls.create_option is ChoiceWidget.create_option
        and cls.checked_attribute == {"selected": True}
    )


def select_options(widget, value: list[str]) -> list[tuple]:
    """ChoiceWidget.optgroups' groups and selection, as (group, [(value, label, selected)])."""
    groups = []
    has_selected = False
    for option_value, option_label in widget.choices:
        if option_value is None:
            option_value = ""
        if isinstance(option_label, (list, tuple)):
            group_name, choices = option_value, option_label
        else:
            group_name, choices = None, [(option_value, option_label)]
        options = []
        for subvalue, sublabel in choices:
            selected = (not has_selected or widget.allow_multiple_selected) and str(subvalue) in value
            has_selected |= selected
            options.append((subvalue, sublabel, selected))
        groups.append((group_name, options))
    return groups


def lean_render(widget, name, value, attrs=None, renderer=None):
    """The widget's HTML as its Django template would write it. Every value in it goes through
    conditional_escape, as the template's autoescaping does."""
    template = widget.template_name
    if template not in INPUT_TEMPLATES and template not in (SELECT_TEMPLATE, TEXTAREA_TEMPLATE):
        return django_render(widget, name, value, attrs, renderer)
    if template == SELECT_TEMPLATE:
        if not plain_select(widget):
            return django_render(widget, name, value, attrs, renderer)
        # Widget.get_context, not the select's: its optgroups builds a dict per option.
        context = forms.Widget.get_context(widget, name, value, attrs)["widget"]
        if widget.allow_multiple_selected:
            context["attrs"]["multiple"] = True
        optgroups = select_options(widget, context["value"])
    else:
        context = widget.get_context(name, value, attrs)["widget"]
    if template in INPUT_TEMPLATES:
        shown = "" if context["value"] is None else f' value="{esc(context["value"])}"'
        return SafeString(
            f'<input type="{esc(context["type"])}" name="{esc(context["name"])}"{shown}'
            f"{html_attrs(context['attrs'])}>"
        )
    head = f'name="{esc(context["name"])}"{html_attrs(context["attrs"])}'
    if template == TEXTAREA_TEMPLATE:
        text = esc(context["value"]) if context["value"] else ""
        return SafeString(f"<textarea {head}>\n{text}</textarea>")
    parts = [f"<select {head}>"]
    for group_name, options in optgroups:
        if group_name:
            parts.append(f'\n  <optgroup label="{esc(group_name)}">')
        for option_value, label, selected in options:
            # The option's template file ends with a newline, which its include keeps.
            shown = " selected" if selected else ""
            parts.append(f'\n  <option value="{esc(option_value)}"{shown}>{esc(label)}</option>\n')
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return SafeString("".join(parts))
