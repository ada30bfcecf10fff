"""The password policy: at least 12 characters, not common, not leaked, not the demo password nor
SIGAP's own words outside DEBUG; refused at the field, in Indonesian."""

import pytest
from django.contrib.auth.password_validation import get_default_password_validators, validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_validators():
    # The validators are built once per process; a test changing DEBUG needs them built anew.
    get_default_password_validators.cache_clear()
    yield
    get_default_password_validators.cache_clear()


def refusals(password: str, user=None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return [e.code for e in error.error_list]
    return []


@pytest.mark.parametrize("password", ["sigap-demo", "iloveyou1234"])
def test_the_issues_examples_are_refused_outside_debug(password):
    assert refusals(password)


def test_the_demo_password_is_refused_for_itself_not_only_for_its_length():
    assert "password_context" in refusals("sigap-demo")
    assert "password_context" in refusals("Sigap-Demo-2026!")


def test_a_leaked_password_of_twelve_characters_is_refused_as_too_common():
    assert refusals("iloveyou1234") == ["password_too_common"]
    assert refusals("qwertyuiop123") == ["password_too_common"]


def test_eleven_characters_are_too_short():
    assert refusals("Kx7#mPq2vLw") == ["password_too_short"]


@pytest.mark.parametrize(
    "password", ["petugas12345678", "pontianak2026!", "kader2kader2!!", "admin-admin-99"]
)
def test_sigaps_own_words_with_digits_are_refused(password):
    assert "password_context" in refusals(password)


def test_the_users_own_name_with_digits_is_refused():
    user = User(username="rahmawati")
    assert "password_context" in refusals("rahmawati2026!!", user)


@pytest.mark.parametrize(
    "password",
    ["sungai kapuas pagi hari", "demokrasi-pancasila-7", "Kx7#mPq2vLw9", "kader-pengajar-tepian-sungai"],
)
def test_a_real_passphrase_is_accepted(password):
    assert refusals(password) == []


def test_with_debug_on_the_demo_password_rule_is_off(settings):
    settings.DEBUG = True
    get_default_password_validators.cache_clear()
    assert refusals("sigap-demo-2026!") == []
    # Length and the leaked list hold whatever DEBUG says.
    assert refusals("sigap-demo") == ["password_too_short"]
    assert refusals("iloveyou1234") == ["password_too_common"]


def test_the_bundled_leaked_list_is_larger_than_djangos_and_only_long_entries():
    import gzip

    from accounts.password_validation import breached_list_path

    with gzip.open(breached_list_path(), "rt", encoding="utf-8") as listed:
        entries = [line.strip() for line in listed]
    assert len(entries) > 40_000
    assert min(len(e) for e in entries) >= 12
    assert entries == sorted(set(e.lower() for e in entries))
    assert "iloveyou1234" in entries


def test_the_admins_user_form_refuses_a_common_password_at_the_field_in_indonesian(client_for, alice):
    response = client_for(alice).post(
        reverse("accounts:user_create"),
        {
            "username": "kader_baru",
            "first_name": "Nur",
            "last_name": "Aini",
            "role": "kpad",
            "password1": "iloveyou1234",
            "password2": "iloveyou1234",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["password2"] == ["Kata sandi ini terlalu umum."]
    assert not User.objects.filter(username="kader_baru").exists()
    # What was typed stays in the form (but never the password).
    assert 'value="Nur"' in response.content.decode()


def test_the_admins_password_reset_refuses_the_demo_password_in_indonesian(client_for, alice, charlie):
    response = client_for(alice).post(
        reverse("accounts:user_set_password", args=[charlie.pk]),
        {"password1": "sigap-demo-2026", "password2": "sigap-demo-2026"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["password2"]
    assert any("terlalu mudah ditebak" in e for e in errors)


def test_a_users_own_password_change_refuses_a_short_one_in_indonesian(client_for, charlie):
    from tests.factories import TEST_PASSWORD

    response = client_for(charlie).post(
        reverse("accounts:password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": "pendek-1", "new_password2": "pendek-1"},
    )
    assert response.status_code == 200
    assert "terlalu pendek" in " ".join(response.context["form"].errors["new_password2"])
