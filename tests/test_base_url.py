"""SIGAP_BASE_URL: the address emails link to and certificates print; required when DEBUG is off."""

import pytest
from django.core import checks, mail
from django.core.exceptions import ImproperlyConfigured

from accounts import services
from config.checks import check_base_url, check_base_url_for_deployment, refuse_to_start_misconfigured
from training.certificates import verification_url


def ids(messages):
    return [m.id for m in messages]


def test_emails_link_to_the_base_url(bob, settings, django_capture_on_commit_callbacks):
    settings.SIGAP_BASE_URL = "https://sigap.pontianak.go.id/"
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(users=[bob], kind="test", params={"text": "Pesan"}, url="/kasus/")
    [message] = mail.outbox
    assert "https://sigap.pontianak.go.id/kasus/" in message.body
    assert "https://sigap.pontianak.go.id/kasus/" in message.alternatives[0].content
    assert "127.0.0.1" not in message.body


def test_certificates_print_the_verification_address_under_the_base_url(settings):
    settings.SIGAP_BASE_URL = "https://sigap.pontianak.go.id"
    assert verification_url("AB12CD34") == "https://sigap.pontianak.go.id/sertifikat/AB12CD34/"


def test_it_is_required_when_debug_is_off(settings):
    settings.DEBUG = False
    settings.SIGAP_BASE_URL = ""
    assert ids(check_base_url()) == ["sigap.E001"]
    with pytest.raises(ImproperlyConfigured, match="SIGAP web will not start: SIGAP_BASE_URL is not set"):
        refuse_to_start_misconfigured("web")


def test_it_may_be_left_out_in_development(settings):
    settings.DEBUG = True
    settings.SIGAP_BASE_URL = ""
    assert check_base_url() == []


def test_it_must_be_an_absolute_http_address(settings):
    for wrong in ("sigap.pontianak.go.id", "ftp://sigap.pontianak.go.id", "https://", "https://x.go.id/?a=1"):
        settings.SIGAP_BASE_URL = wrong
        assert ids(check_base_url()) == ["sigap.E002"], wrong
        assert check_base_url()[0].level == checks.ERROR


def test_the_deployment_check_wants_https_and_an_allowed_host(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["sigap.pontianak.go.id"]
    settings.SIGAP_BASE_URL = "https://sigap.pontianak.go.id"
    assert check_base_url_for_deployment() == []
    settings.SIGAP_BASE_URL = "http://sigap.pontianak.go.id"
    assert ids(check_base_url_for_deployment()) == ["sigap.W001"]
    settings.SIGAP_BASE_URL = "https://elsewhere.example"
    assert ids(check_base_url_for_deployment()) == ["sigap.W002"]
    settings.SECURE_SSL_REDIRECT = False  # a trial on plain HTTP
    settings.ALLOWED_HOSTS = [".pontianak.go.id"]
    settings.SIGAP_BASE_URL = "http://sigap.pontianak.go.id:8000"
    assert check_base_url_for_deployment() == []
