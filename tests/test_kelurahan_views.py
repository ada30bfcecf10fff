"""The regions page: a table per kecamatan and a map, limited to the user's area."""

import re

import pytest
from django.urls import reverse

from kelurahan.models import Kecamatan

URL = "/wilayah/"
PONTIANAK_UTARA_KELURAHAN = ["61.71.04.1001", "61.71.04.1002", "61.71.04.1003", "61.71.04.1004"]


def tables(html):
    return re.findall(r'data-testid="kecamatan-([\d.]+)"', html)


def rows(html):
    return re.findall(r'<tr data-code="([\d.]+)">', html)


def test_it_is_the_url_of_the_regions_page():
    assert reverse("kelurahan:list") == URL


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_it_shows_6_kecamatan_tables_and_29_kelurahan_rows_city_wide(client_for, everyone, who):
    response = client_for(everyone[who]).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert tables(html) == list(Kecamatan.objects.order_by("code").values_list("code", flat=True))
    assert len(rows(html)) == 29
    assert len(set(rows(html))) == 29
    assert response.context["kelurahan_count"] == 29
    assert response.context["kecamatan_count"] == 6


def test_it_shows_the_everyday_and_the_official_name(client_for, bob):
    html = client_for(bob).get(URL).content.decode()
    row = re.search(r'<tr data-code="61\.71\.01\.1004">(.*?)</tr>', html, re.S).group(1)
    assert "Parit Tokaya" in row
    assert "Parittokaya" in row
    assert "78121" in row
    # Where both spellings agree, the official one is not repeated.
    row = re.search(r'<tr data-code="61\.71\.06\.1001">(.*?)</tr>', html, re.S).group(1)
    assert row.count("Bansir Laut") == 1


def test_it_names_each_kecamatan_with_its_code(client_for, bob):
    html = client_for(bob).get(URL).content.decode()
    assert "Pontianak Tenggara (61.71.06)" in html
    assert "Pontianak Selatan (61.71.01)" in html


def test_it_references_the_vendored_leaflet_and_the_geojson(client_for, bob):
    html = client_for(bob).get(URL).content.decode()
    assert 'src="/static/vendor/leaflet/leaflet.js"' in html
    assert "vendor/leaflet/leaflet.css" in html
    assert 'data-geojson="/static/kelurahan/pontianak_kelurahan.geojson"' in html
    assert "unpkg" not in html and "cdn" not in html.lower()


def test_it_serves_the_vendored_files_it_references(client_for, bob):
    from django.contrib.staticfiles import finders

    for path in [
        "vendor/leaflet/leaflet.js",
        "vendor/leaflet/leaflet.css",
        "kelurahan/pontianak_kelurahan.geojson",
        "js/kelurahan-map.js",
    ]:
        assert finders.find(path), path


def test_it_passes_the_visible_codes_to_the_map(client_for, bella):
    response = client_for(bella).get(URL)
    assert response.context["visible_codes"] == PONTIANAK_UTARA_KELURAHAN
    assert '<script id="visible-codes" type="application/json">' in response.content.decode()


def test_it_shows_a_petugas_limited_to_pontianak_utara_only_its_4_kelurahan(client_for, bella):
    response = client_for(bella).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert tables(html) == ["61.71.04"]
    assert rows(html) == PONTIANAK_UTARA_KELURAHAN
    assert "Bansir Laut" not in html
    assert response.context["kelurahan_count"] == 4
    assert response.context["kecamatan_count"] == 1


@pytest.mark.parametrize("who", ["charlie", "carol", "dave"])
def test_it_refuses_kader_and_kpad_with_403(client_for, everyone, who):
    response = client_for(everyone[who]).get(URL)
    assert response.status_code == 403


def test_it_sends_an_anonymous_visitor_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={URL}"


def test_it_refuses_a_post_with_405(client_for, bob):
    assert client_for(bob).post(URL).status_code == 405


def test_it_loads_the_page_in_a_fixed_number_of_queries(client_for, bob, django_assert_max_num_queries):
    client = client_for(bob)
    with django_assert_max_num_queries(4):
        client.get(URL)


def test_it_titles_the_page_in_indonesian(client_for, bob):
    html = client_for(bob).get(URL).content.decode()
    assert "<title>Wilayah · SIGAP</title>" in html
