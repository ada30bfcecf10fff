"""core.messages: a code and parameters rendered in the active language, and read back from text."""

import pytest
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from core.messages import MessageRegistry, UnknownMessage


class Colour(models.TextChoices):
    RED = "red", _("Red")
    BLUE = "blue", _("Blue")


@pytest.fixture
def registry():
    r = MessageRegistry("test")
    r.register("greeting", _("Case worker: %(name)s"))
    r.register("colours", "%(colour)s", colour=Colour)
    r.register("hours", ngettext_lazy("%(n)d hour", "%(n)d hours", "n"))
    r.register("shout", lambda params: params["word"].upper())
    return r


def test_it_renders_a_message_with_its_parameters_in_the_active_language(registry):
    with translation.override("en"):
        assert registry.render("greeting", {"name": "Rina"}) == "Case worker: Rina"
    with translation.override("id"):
        assert registry.render("greeting", {"name": "Rina"}) == "Petugas penanggung jawab: Rina"


def test_a_choices_parameter_shows_its_label_and_a_list_is_joined(registry):
    with translation.override("en"):
        assert registry.render("colours", {"colour": "red"}) == "Red"
        assert registry.render("colours", {"colour": ["red", "blue"]}) == "Red, Blue"
        assert registry.render("colours", {"colour": "green"}) == "green"  # left the choices


def test_plurals_and_functions(registry):
    with translation.override("en"):
        assert registry.render("hours", {"n": 1}) == "1 hour"
        assert registry.render("hours", {"n": 3}) == "3 hours"
    assert registry.render("shout", {"word": "ok"}) == "OK"


def test_an_unknown_code_or_missing_parameter_falls_back_to_the_stored_text(registry):
    assert registry.render("nope", {}, fallback="teks lama") == "teks lama"
    assert registry.render("greeting", {}, fallback="teks lama") == "teks lama"
    with pytest.raises(UnknownMessage):
        registry.check("nope")
    with pytest.raises(ValueError):
        registry.register("greeting", "again")


def test_it_reads_parameters_back_from_text_in_either_language(registry):
    assert registry.parse("greeting", "Petugas penanggung jawab: Rina") == {"name": "Rina"}
    assert registry.parse("greeting", "Case worker: Rina") == {"name": "Rina"}
    assert registry.parse("colours", "Red") == {"colour": "red"}
    assert registry.parse("colours", "Green") is None
    assert registry.parse("hours", "3 hours") == {"n": 3}
    assert registry.parse("shout", "OK") is None  # a function cannot be read back
