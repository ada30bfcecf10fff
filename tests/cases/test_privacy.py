"""Privacy rules that cut across the case pages."""

from django.urls import reverse

from cases import services
from tests.factories import make_case


def test_the_case_page_is_never_cached(client_for, bob, charlie):
    case = make_case(actor=charlie)
    response = client_for(bob).get(reverse("cases:detail", args=[case.number]))
    assert "no-store" in response["Cache-Control"]


def test_the_anonymised_summary_leaves_out_free_text(client_for, bob, charlie):
    case = make_case(actor=charlie, narrative="Siti Nurhaliza dipukul di rumah.")
    services.case_add_note(actor=bob, case=case, note="Ibu Siti Nurhaliza sudah ditelepon.")
    client = client_for(bob)

    html = client.get(reverse("cases:print", args=[case.number])).content.decode()
    assert "Nurhaliza" not in html
    assert 'data-testid="narrative-withheld"' in html

    html = client.get(reverse("cases:print", args=[case.number]), {"identitas": "1"}).content.decode()
    assert "Siti Nurhaliza dipukul" in html


def test_a_kecamatan_limited_petugas_picks_accompanying_cadres_of_their_kecamatan_only(
    client_for, bella, carol, charlie
):
    from cases.action_forms import CadreAddForm

    case = make_case(actor=carol)  # Siantan Hulu, Pontianak Utara: bella's kecamatan
    form = CadreAddForm(prefix="cadre", case=case, actor=bella)
    assert charlie not in form.fields["cadre"].queryset  # a Bansir Laut (Tenggara) cadre
    form = CadreAddForm({"cadre-cadre": charlie.pk}, prefix="cadre", case=case, actor=bella)
    assert not form.is_valid()
