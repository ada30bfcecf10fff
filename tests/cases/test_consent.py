"""Consent governs sharing, never reporting: the rule, who may decide, who must not be told,
and the steps that check it (referral, KPAD's reveal, the print with identities, photos).

The case of the done-criterion: a kader reports a case whose suspect is the parent, with
nobody's consent; the case page names who must not be told."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import AuditEvent
from cases import consent, consent_services, person_services, services
from cases.consent import Basis
from cases.models import (
    CaseEvent,
    ConsentAnswer,
    ConsentGiver,
    ConsentInstitution,
    ConsentPurpose,
    DoNotTell,
    Escalation,
    FamilyLink,
    Referral,
)
from tests import factories as f
from tests import images

pytestmark = pytest.mark.django_db

CHILD = "Rina Sintetis"
FATHER = "Bapak Sintetis"
MOTHER = "Ibu Sintetis"
GIVEN, REFUSED = ConsentAnswer.GIVEN, ConsentAnswer.REFUSED
SHARING, FOLLOW_UP, PHOTOS = ConsentPurpose.SHARING, ConsentPurpose.FOLLOW_UP, ConsentPurpose.PHOTOS
TODAY = timezone.localdate


def parent_suspect_case(actor, **fields):
    """The father is the alleged perpetrator; the mother is named as guardian."""
    fields.setdefault("violence_types", ["fisik"])
    return f.make_case(
        actor=actor,
        children=[
            services.ChildData(
                name=CHILD,
                sex="P",
                birth_date=dt.date(2012, 5, 1),
                guardian_name=MOTHER,
                guardian_relation=FamilyLink.Relation.PARENT,
                guardian_contact="081200000009",
            )
        ],
        perpetrators=[services.PerpetratorData(relation="orang_tua", sex="L", age=42)],
        **fields,
    )


def child_of(case):
    return case.children.select_related("person", "guardian").get()


def record(actor, case, *, answers, given_by=ConsentGiver.CARER, person=None, confirm=True, **kw):
    row = child_of(case)
    return consent_services.consent_record(
        actor=actor,
        case=case,
        children=[row],
        given_by=given_by,
        person=person if person is not None or given_by != ConsentGiver.CARER else row.guardian,
        decided_on=kw.pop("decided_on", TODAY()),
        answers=answers,
        confirm_not_suspect=confirm,
        **kw,
    )


def detail(case):
    return reverse("cases:detail", args=[case.number])


# --- The done-criterion --------------------------------------------------------------------------


def test_a_kader_reports_a_parent_suspect_with_nobodys_consent_and_the_page_names_who_must_not_be_told(
    client_for, charlie
):
    client = client_for(charlie)
    response = client.post(
        "/kasus/lapor/",
        {
            "incident_date": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
            "place_type": "rumah_tangga",
            "kelurahan": str(charlie.kelurahan_id),
            "violence_types": ["fisik"],
            "risk": "tinggi",
            "narrative": "Anak dipukul ayahnya (data sintetis).",
            "source": "kader",
            "do_not_tell": "Paman, teman dekat ayah",
            "children-TOTAL_FORMS": "1",
            "children-INITIAL_FORMS": "0",
            "children-0-name": CHILD,
            "children-0-sex": "P",
            "children-0-estimated_age": "9",
            "perpetrators-TOTAL_FORMS": "1",
            "perpetrators-INITIAL_FORMS": "0",
            "perpetrators-0-relation": "orang_tua",
            "perpetrators-0-sex": "L",
        },
    )
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    start = page.index('data-testid="do-not-tell"')
    panel = page[start : page.index("</section>", start)]
    assert "Orang tua" in panel and "terduga pelaku" in panel  # the parent, as alleged perpetrator
    assert "Paman, teman dekat ayah" in panel
    assert page.index('data-testid="do-not-tell"') < page.index('data-testid="case-summary"')


# --- The rule ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("institution", "answer", "allowed", "basis", "says"),
    [
        (ConsentInstitution.UNIT_PPA, None, True, Basis.LEGAL_DUTY, False),
        (ConsentInstitution.UNIT_PPA, REFUSED, True, Basis.LEGAL_DUTY, True),
        (ConsentInstitution.UPTD_PPA, None, True, Basis.NOT_RECORDED, True),
        (ConsentInstitution.UPTD_PPA, GIVEN, True, Basis.GIVEN, False),
        (ConsentInstitution.UPTD_PPA, REFUSED, False, Basis.REFUSED, True),
        (ConsentInstitution.KPAD, None, True, Basis.NOT_RECORDED, True),
        (ConsentInstitution.SEKOLAH, None, False, Basis.NOT_RECORDED, True),
        (ConsentInstitution.SEKOLAH, GIVEN, True, Basis.GIVEN, False),
        (ConsentInstitution.LAINNYA, REFUSED, False, Basis.REFUSED, True),
    ],
)
def test_the_sharing_rule(institution, answer, allowed, basis, says):
    check = consent.decide(purpose=SHARING, institution=institution, answer=answer, child="R.S.", crime=True)
    assert (check.allowed, check.basis, bool(check.message)) == (allowed, basis, says)


def test_without_a_crime_the_police_are_one_institution_among_others():
    check = consent.decide(
        purpose=SHARING, institution=ConsentInstitution.UNIT_PPA, answer=REFUSED, child="R.S.", crime=False
    )
    assert not check.allowed


def test_follow_up_and_photos_are_refused_only_by_a_refusal():
    for purpose in (FOLLOW_UP, PHOTOS):
        assert consent.decide(purpose=purpose, answer=None, child="R.S.").allowed
        assert consent.decide(purpose=purpose, answer=GIVEN, child="R.S.").allowed
        assert not consent.decide(purpose=purpose, answer=REFUSED, child="R.S.").allowed


def test_a_consent_from_someone_excluded_does_not_count():
    check = consent.decide(
        purpose=SHARING,
        institution=ConsentInstitution.SEKOLAH,
        answer=GIVEN,
        child="R.S.",
        giver_excluded=True,
    )
    assert not check.allowed and check.basis == Basis.NOT_RECORDED


def test_the_newest_statement_counts(bob, charlie):
    case = parent_suspect_case(charlie)
    record(bob, case, answers={(SHARING, "sekolah"): REFUSED})
    assert not consent.consent_allows(case=case, purpose=SHARING, institution="sekolah").allowed
    record(bob, case, answers={(SHARING, "sekolah"): GIVEN})
    assert consent.consent_allows(case=case, purpose=SHARING, institution="sekolah").allowed


def test_one_child_refusing_refuses_the_case_and_says_which(bob, charlie):
    case = f.make_case(
        actor=charlie,
        children=[
            services.ChildData(name="Ani Satu", sex="P", estimated_age=14),
            services.ChildData(name="Budi Dua", sex="L", estimated_age=15),
        ],
    )
    ani = case.children.get(person__name="Ani Satu")
    consent_services.consent_record(
        actor=bob,
        case=case,
        children=[ani],
        given_by=ConsentGiver.CHILD,
        decided_on=TODAY(),
        answers={(SHARING, "dinas_sosial"): REFUSED},
    )
    with translation.override("en"):
        check = consent.consent_allows(case=case, purpose=SHARING, institution="dinas_sosial")
    assert not check.allowed and "A.S." in check.message and "B.D." not in check.message


# --- Who may decide -------------------------------------------------------------------------------


def test_a_parent_who_is_the_alleged_perpetrator_cannot_decide(bob, charlie):
    case = parent_suspect_case(charlie)
    father = person_services.family_link_add(
        actor=bob, person=child_of(case).person, relation=FamilyLink.Relation.PARENT, name=FATHER
    ).relative
    person_services.perpetrator_link_person(actor=bob, perpetrator=case.perpetrators.get(), person=father)

    with pytest.raises(consent_services.ConsentError) as refused:
        record(bob, case, person=father, answers={(FOLLOW_UP, ""): GIVEN})
    assert "person" in refused.value.message_dict
    assert not case.consents.exists()


def test_a_consent_given_before_the_giver_was_named_the_suspect_stops_counting(bob, charlie):
    case = parent_suspect_case(charlie)
    mother = child_of(case).guardian
    record(bob, case, person=mother, answers={(SHARING, "sekolah"): GIVEN})
    assert consent.consent_allows(case=case, purpose=SHARING, institution="sekolah").allowed

    person_services.perpetrator_link_person(actor=bob, perpetrator=case.perpetrators.get(), person=mother)

    assert not consent.consent_allows(case=case, purpose=SHARING, institution="sekolah").allowed
    overview = consent.consent_overview(case=case, children=list(case.children.select_related("person")))
    assert overview[0].excluded_giver


def test_someone_who_must_not_be_told_cannot_decide(bob, charlie):
    case = parent_suspect_case(charlie)
    mother = child_of(case).guardian
    consent_services.do_not_tell_add(actor=bob, case=case, person=mother)
    with pytest.raises(consent_services.ConsentError):
        record(bob, case, person=mother, answers={(FOLLOW_UP, ""): GIVEN})


def test_with_an_unnamed_parent_suspect_the_parent_must_be_confirmed_not_to_be_them(bob, charlie):
    case = parent_suspect_case(charlie)
    with pytest.raises(consent_services.ConsentError) as refused:
        record(bob, case, confirm=False, answers={(FOLLOW_UP, ""): GIVEN})
    assert "confirm_not_suspect" in refused.value.message_dict
    record(bob, case, confirm=True, answers={(FOLLOW_UP, ""): GIVEN})
    assert case.consents.count() == 1


def test_only_a_parent_or_guardian_of_the_child_may_decide(bob, charlie):
    case = parent_suspect_case(charlie)
    stranger = f.make_case(actor=bob).children.select_related("person").get().person
    with pytest.raises(consent_services.ConsentError):
        record(bob, case, person=stranger, answers={(FOLLOW_UP, ""): GIVEN})


def test_the_child_decides_from_the_age_in_the_settings(bob, charlie, settings):
    case = parent_suspect_case(charlie)  # born 2012: 12 or more in 2025
    settings.SIGAP_CONSENT_CHILD_MIN_AGE = 12
    record(
        bob,
        case,
        given_by=ConsentGiver.CHILD,
        answers={(PHOTOS, ""): REFUSED},
        decided_on=dt.date(2025, 6, 1),
    )
    settings.SIGAP_CONSENT_CHILD_MIN_AGE = 16
    with pytest.raises(consent_services.ConsentError) as refused:
        record(bob, case, given_by=ConsentGiver.CHILD, answers={(PHOTOS, ""): GIVEN})
    assert "given_by" in refused.value.message_dict


def test_a_statement_needs_an_answer_and_a_date_not_in_the_future(bob, charlie):
    case = parent_suspect_case(charlie)
    with pytest.raises(consent_services.ConsentError):
        record(bob, case, answers={})
    with pytest.raises(consent_services.ConsentError) as refused:
        record(bob, case, answers={(FOLLOW_UP, ""): GIVEN}, decided_on=TODAY() + dt.timedelta(days=1))
    assert "decided_on" in refused.value.message_dict


def test_a_statement_is_on_the_timeline_and_audited_without_names(bob, charlie):
    case = parent_suspect_case(charlie)
    record(bob, case, answers={(SHARING, "sekolah"): REFUSED, (FOLLOW_UP, ""): GIVEN})
    event = case.events.get(kind=CaseEvent.Kind.CONSENT)
    child = case.children.get()
    assert event.params["children"] == [child.person.reference] and child.person.reference in event.text
    assert CHILD not in event.text + str(event.params) and MOTHER not in event.text + str(event.params)
    assert "R.S." not in str(event.params)  # not even the child's initials
    audit = AuditEvent.objects.get(action="case.consent")
    assert audit.details["answers"] == {"berbagi:sekolah": REFUSED, "tindak_lanjut": GIVEN}
    assert CHILD not in str(audit.details) and MOTHER not in str(audit.details)


# --- Steps that check it ----------------------------------------------------------------------------


def test_a_referral_refused_by_consent_says_why_at_the_field(client_for, bob, charlie):
    case = parent_suspect_case(charlie)
    record(bob, case, answers={(SHARING, "sekolah"): REFUSED})
    response = client_for(bob).post(
        reverse("cases:refer", args=[case.number]),
        {"refer-institution": "sekolah", "refer-date": TODAY().isoformat(), "refer-reason": "Pendampingan"},
    )
    assert response.status_code == 400
    errors = response.context["forms"]["refer"].errors["institution"]
    assert "Berbagi dengan Sekolah ditolak untuk R.S." in errors[0]
    assert not Referral.objects.filter(case=case).exists()


def test_a_referral_to_the_police_for_a_crime_needs_no_consent(client_for, bob, charlie):
    case = parent_suspect_case(charlie)
    record(bob, case, answers={(SHARING, "unit_ppa"): REFUSED})
    response = client_for(bob).post(
        reverse("cases:refer", args=[case.number]),
        {"refer-institution": "unit_ppa", "refer-date": TODAY().isoformat()},
        follow=True,
    )
    assert response.status_code == 200
    assert Referral.objects.filter(case=case, institution="unit_ppa").exists()
    assert [m.level_tag for m in response.context["messages"]] == ["warning", "success"]
    assert AuditEvent.objects.get(action="case.refer").details["consent"] == Basis.LEGAL_DUTY


def test_a_referral_with_no_consent_recorded_warns_and_goes_ahead(client_for, bob, charlie):
    case = parent_suspect_case(charlie)
    response = client_for(bob).post(
        reverse("cases:refer", args=[case.number]),
        {"refer-institution": "uptd_ppa", "refer-date": TODAY().isoformat()},
        follow=True,
    )
    assert Referral.objects.filter(case=case, institution="uptd_ppa").exists()
    assert "warning" in [m.level_tag for m in response.context["messages"]]


def test_a_school_referral_without_consent_is_refused(bob, charlie):
    case = parent_suspect_case(charlie)
    with pytest.raises(services.ValidationError):
        services.case_refer(actor=bob, case=case, institution="sekolah", date=TODAY())


def test_kpad_sees_only_the_identity_consent_allows(client_for, bob, dave, charlie):
    case = f.make_case(
        actor=charlie,
        violence_types=["seksual"],
        children=[
            services.ChildData(name="Ani Terbuka", sex="P", estimated_age=14),
            services.ChildData(name="Budi Tertutup", sex="L", estimated_age=15),
        ],
    )
    budi = case.children.get(person__name="Budi Tertutup")
    consent_services.consent_record(
        actor=bob,
        case=case,
        children=[budi],
        given_by=ConsentGiver.CHILD,
        decided_on=TODAY(),
        answers={(SHARING, "kpad"): REFUSED},
    )
    escalation = Escalation.objects.create(case=case, rule="manual", opened_at=timezone.now())
    type(case).objects.filter(pk=case.pk).update(escalated_at=timezone.now())

    response = client_for(dave).post(
        reverse("cases:kpad_reveal", kwargs={"pk": escalation.pk}), {"reveal-reason": "Koordinasi"}
    )

    html = response.content.decode()
    assert "Ani Terbuka" in html and "Budi Tertutup" not in html
    assert 'data-testid="consent-refused"' in html
    audit = AuditEvent.objects.get(action="case.reveal_identity")
    assert audit.details["withheld_by_consent"] == [budi.pk]


def test_a_reveal_no_consent_allows_is_refused_with_the_reason(client_for, bob, dave, charlie):
    case = parent_suspect_case(charlie, violence_types=["seksual"])
    record(bob, case, answers={(SHARING, "kpad"): REFUSED})
    escalation = Escalation.objects.create(case=case, rule="manual", opened_at=timezone.now())
    type(case).objects.filter(pk=case.pk).update(escalated_at=timezone.now())

    response = client_for(dave).post(
        reverse("cases:kpad_reveal", kwargs={"pk": escalation.pk}), {"reveal-reason": "Koordinasi"}
    )

    assert response.status_code == 400
    assert "Berbagi dengan KPAD ditolak" in str(response.context["forms"]["reveal"].errors)
    assert CHILD not in response.content.decode()
    assert not AuditEvent.objects.filter(action="case.reveal_identity").exists()


def test_the_print_with_identities_withholds_a_child_whose_follow_up_was_refused(client_for, bob, charlie):
    case = parent_suspect_case(charlie)
    record(bob, case, answers={(FOLLOW_UP, ""): REFUSED})
    response = client_for(bob).get(reverse("cases:print", args=[case.number]) + "?identitas=1")
    html = response.content.decode()
    assert CHILD not in html and "R.S." in html and 'data-testid="print-consent-refused"' in html
    assert AuditEvent.objects.get(action="case.export").details["withheld_by_consent"] == [child_of(case).pk]


def test_a_photo_is_refused_when_photos_were_refused(client_for, bob, charlie, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = parent_suspect_case(charlie)
    record(bob, case, answers={(PHOTOS, ""): REFUSED})
    png = images.PNG
    response = client_for(charlie).post(
        reverse("cases:attachment_upload", args=[case.number]),
        {"upload-file": SimpleUploadedFile("a.png", png), "upload-kind": "foto"},
    )
    assert response.status_code == 400 and "kind" in response.context["forms"]["upload"].errors
    assert not case.attachments.exists()


# --- The case page's forms, per role ----------------------------------------------------------------


def consent_post(case, **extra):
    row = child_of(case)
    return {
        "consent-children": [str(row.pk)],
        "consent-given_by": ConsentGiver.CARER,
        "consent-person": str(row.guardian_id),
        "consent-confirm_not_suspect": "on",
        "consent-decided_on": TODAY().isoformat(),
        "consent-share_sekolah": REFUSED,
        **extra,
    }


@pytest.mark.parametrize("who", ["bob", "charlie"])
def test_staff_and_the_accompanying_kader_record_consent(client_for, everyone, who):
    case = parent_suspect_case(everyone["charlie"])
    response = client_for(everyone[who]).post(
        reverse("cases:consent", args=[case.number]), consent_post(case)
    )
    assert response.status_code == 302
    assert case.consents.get().given_by_person == child_of(case).guardian


def test_the_consent_form_offers_no_suspect_and_asks_the_confirmation(client_for, bob, charlie):
    case = parent_suspect_case(charlie)
    father = person_services.family_link_add(
        actor=bob, person=child_of(case).person, relation=FamilyLink.Relation.PARENT, name=FATHER
    ).relative
    consent_services.do_not_tell_add(actor=bob, case=case, person=father)
    form = client_for(bob).get(detail(case)).context["people"]["forms"]["consent"]
    offered = dict(form.fields["person"].choices)
    assert str(child_of(case).guardian_id) in offered and str(father.pk) not in offered
    assert "confirm_not_suspect" in form.fields


def test_a_consent_form_with_errors_comes_back_at_the_field(client_for, bob, charlie):
    case = parent_suspect_case(charlie)
    response = client_for(bob).post(
        reverse("cases:consent", args=[case.number]), consent_post(case, **{"consent-share_sekolah": ""})
    )
    assert response.status_code == 400 and response.context["open_panel"] == "consent"
    assert not case.consents.exists()


@pytest.mark.parametrize("who", ["carol", "bella", "alice"])
def test_consent_urls_are_a_404_outside_the_scope(client_for, everyone, who):
    case = parent_suspect_case(everyone["charlie"])
    client = client_for(everyone[who])
    assert client.post(reverse("cases:consent", args=[case.number]), consent_post(case)).status_code == 404
    assert (
        client.post(reverse("cases:do_not_tell_add", args=[case.number]), {"dnt-note": "x"}).status_code
        == 404
    )
    assert not case.consents.exists()


def test_kpad_may_not_record_consent_or_add_to_the_list(client_for, charlie, dave):
    case = parent_suspect_case(charlie)
    type(case).objects.filter(pk=case.pk).update(escalated_at=timezone.now())
    client = client_for(dave)
    assert client.post(reverse("cases:consent", args=[case.number]), consent_post(case)).status_code == 403
    assert (
        client.post(reverse("cases:do_not_tell_add", args=[case.number]), {"dnt-note": "x"}).status_code
        == 403
    )


def test_the_consent_urls_refuse_get(client_for, bob, charlie):
    case = parent_suspect_case(charlie)
    client = client_for(bob)
    assert client.get(reverse("cases:consent", args=[case.number])).status_code == 405
    assert client.get(reverse("cases:do_not_tell_add", args=[case.number])).status_code == 405


def test_a_kader_adds_someone_who_must_not_be_told_and_only_staff_take_them_off(client_for, bob, charlie):
    case = parent_suspect_case(charlie)
    response = client_for(charlie).post(
        reverse("cases:do_not_tell_add", args=[case.number]),
        {"dnt-relation": "keluarga", "dnt-note": "Paman"},
    )
    assert response.status_code == 302
    entry = DoNotTell.objects.get(case=case)
    remove = reverse("cases:do_not_tell_remove", args=[case.number, entry.pk])
    field = f"dnt_remove{entry.pk}-reason"
    assert client_for(charlie).post(remove, {field: "Sudah aman"}).status_code == 403
    response = client_for(bob).post(remove, {field: ""})
    assert response.status_code == 400 and DoNotTell.objects.filter(pk=entry.pk).exists()
    assert client_for(bob).post(remove, {field: "Paman membantu korban"}).status_code == 302
    assert not DoNotTell.objects.exists()
    assert (
        AuditEvent.objects.get(action="case.do_not_tell_remove").details["reason"] == "Paman membantu korban"
    )


def test_kpad_sees_who_must_not_be_told_by_relation_but_not_the_reporters_words(client_for, charlie, dave):
    case = parent_suspect_case(charlie, do_not_tell="Pak Darto, tetangga")
    type(case).objects.filter(pk=case.pk).update(escalated_at=timezone.now())
    html = client_for(dave).get(detail(case)).content.decode()
    assert 'data-testid="do-not-tell-entry"' in html and "Pak Darto" not in html
    assert MOTHER not in html


def test_staff_say_which_family_member_the_perpetrator_is(client_for, bob, charlie):
    case = parent_suspect_case(charlie)
    father = person_services.family_link_add(
        actor=bob, person=child_of(case).person, relation=FamilyLink.Relation.PARENT, name=FATHER
    ).relative
    perpetrator = case.perpetrators.get()
    url = reverse("cases:perpetrator_person", args=[case.number, perpetrator.pk])
    key = f"perpetrator{perpetrator.pk}-person"
    assert client_for(charlie).post(url, {key: str(father.pk)}).status_code == 403
    assert client_for(bob).post(url, {key: str(father.pk)}).status_code == 302
    perpetrator.refresh_from_db()
    assert perpetrator.person == father
    page = client_for(charlie).get(detail(case)).content.decode()
    panel = page[page.index('data-testid="do-not-tell"') :]
    assert FATHER in panel[: panel.index("</section>")]
    event = case.events.filter(kind=CaseEvent.Kind.PERSON).first()
    assert father.reference in event.text and FATHER not in event.text + str(event.params)


def test_the_case_page_with_consents_stays_within_a_fixed_number_of_queries(
    client_for, bob, charlie, django_assert_max_num_queries
):
    case = f.make_case(
        actor=charlie,
        children=[services.ChildData(name=f"Anak {i}", sex="L", estimated_age=13) for i in range(4)],
        perpetrators=[services.PerpetratorData(relation="orang_tua") for _ in range(3)],
        do_not_tell="Paman",
    )
    rows = list(case.children.select_related("person"))
    for _ in range(2):
        consent_services.consent_record(
            actor=bob,
            case=case,
            children=rows,
            given_by=ConsentGiver.CHILD,
            decided_on=TODAY(),
            answers={(FOLLOW_UP, ""): GIVEN, (SHARING, "rsud"): GIVEN},
        )
    client = client_for(bob)
    client.get(detail(case))
    # 23: with each child's own coding (types of violence, perpetrator pairs, services received).
    with django_assert_max_num_queries(23):
        assert client.get(detail(case)).status_code == 200
