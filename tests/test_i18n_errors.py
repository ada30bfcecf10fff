"""Error pages: 404, 403 and 500 in Bahasa Indonesia first, and safe to render."""

import pytest
from django.template.loader import render_to_string
from django.urls import path
from django.utils import translation

from config.urls import urlpatterns as config_urlpatterns


def boom(request):
    raise RuntimeError("an unexpected failure")


# Used through pytest.mark.urls: the project's URLs plus one view that fails.
urlpatterns = [path("uji/gagal/", boom), *config_urlpatterns]


def template_names(response):
    return [t.name for t in response.templates]


# --- 404 ----------------------------------------------------------------------------------------


def test_it_answers_an_unknown_url_with_the_404_page(client, db):
    response = client.get("/tidak-ada-halaman-ini/")
    assert response.status_code == 404
    assert "404.html" in template_names(response)
    html = response.content.decode()
    assert '<html lang="id">' in html
    assert "(404)" in html
    assert 'href="/"' in html


def test_it_explains_a_404_in_indonesian(client, db):
    html = client.get("/tidak-ada-halaman-ini/").content.decode()
    assert html.count("Halaman tidak ditemukan (404)") == 1
    assert "Page not found" not in html


def test_it_stays_indonesian_when_the_browser_prefers_english(client, db):
    response = client.get("/tidak-ada-halaman-ini/", headers={"accept-language": "en-US,en;q=0.9"})
    html = response.content.decode()
    assert '<html lang="id">' in html
    assert "Halaman tidak ditemukan (404)" in html


def test_it_explains_a_404_in_english_once_the_user_chose_english(client, db, settings):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get("/tidak-ada-halaman-ini/")
    html = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="en">' in html
    assert "Page not found (404)" in html


def test_it_shows_the_404_page_to_a_logged_in_user_with_their_menu(client_for, bob):
    response = client_for(bob).get("/tidak-ada-halaman-ini/")
    assert response.status_code == 404
    assert 'href="/wilayah/"' in response.content.decode()


# --- 403 ----------------------------------------------------------------------------------------


def test_it_answers_a_forbidden_page_with_the_403_page(client_for, charlie):
    response = client_for(charlie).get("/akun/pengguna/")
    assert response.status_code == 403
    assert "403.html" in template_names(response)
    html = response.content.decode()
    assert "(403)" in html
    assert '<html lang="id">' in html


def test_it_explains_a_403_in_indonesian(client_for, charlie):
    html = client_for(charlie).get("/akun/pengguna/").content.decode()
    assert html.count("Akses ditolak (403)") == 1
    assert "Access denied" not in html


# --- 500 ----------------------------------------------------------------------------------------


def test_it_renders_the_500_page_without_a_request():
    with translation.override("en"):
        html = render_to_string("500.html")
    assert "Server error (500)" in html
    assert "/static/vendor/bootstrap/bootstrap.min.css" in html
    assert 'href="/"' in html


def test_it_renders_the_500_page_in_indonesian():
    with translation.override("id"):
        html = render_to_string("500.html")
    assert html.count("Kesalahan server (500)") == 1
    assert "Server error" not in html


@pytest.mark.urls("tests.test_i18n_errors")
def test_it_answers_a_crash_with_the_500_page(client, db):
    client.raise_request_exception = False
    response = client.get("/uji/gagal/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "(500)" in html
    assert "an unexpected failure" not in html
    assert "Traceback" not in html
