"""accounts views: the access table for every URL, home, login/logout/password, user
management and the audit log."""

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, reverse
from django.utils import timezone

from accounts import services
from accounts.models import AuditEvent, Role, User
from accounts.policy import navigation_for
from kelurahan.models import Kecamatan, Kelurahan
from tests import factories as f

NEW_PASSWORD = "Pontianak-aman-77"
WHO = ["alice", "bob", "bella", "charlie", "carol", "dave", "anonymous"]
PONTIANAK_UTARA_KELURAHAN = ["61.71.04.1001", "61.71.04.1002", "61.71.04.1003", "61.71.04.1004"]


@pytest.fixture
def as_user(client, everyone):
    """``as_user("bob")`` -> the test client logged in as bob (or anonymous)."""

    def login(who):
        if who != "anonymous":
            client.force_login(everyone[who])
        return client

    return login


def login_url(next_url):
    return f"{reverse('accounts:login')}?next={next_url}"


# --- The access table: every URL of accounts and kelurahan, for every role ---------------------

ADMIN_ONLY = {"anonymous": 302, "alice": 200, "*": 403}
EXPECTED = {
    "accounts:login": {"anonymous": 200, "*": 302},  # logged in: sent on to the start page
    "accounts:logout": {"*": 405},  # POST only
    "accounts:password_change": {"anonymous": 302, "*": 200},
    "accounts:password_change_done": {"anonymous": 302, "*": 200},
    "accounts:user_list": ADMIN_ONLY,
    "accounts:user_create": ADMIN_ONLY,
    "accounts:user_edit": ADMIN_ONLY,
    "accounts:user_set_password": ADMIN_ONLY,
    "accounts:audit_list": ADMIN_ONLY,
    "accounts:notifications": {"anonymous": 302, "*": 200},  # every role has an inbox
    "accounts:notification_open": {"*": 405},  # POST only
    "accounts:notifications_read_all": {"*": 405},  # POST only
    "accounts:otp_verify": {"anonymous": 302, "*": 302},  # nothing to verify: sent on
    "accounts:otp_enrol": {"anonymous": 302, "*": 200},  # every role may set up a second factor
    "accounts:security": {"anonymous": 302, "*": 200},
    "accounts:recovery_codes_new": {"*": 405},  # POST only
    "accounts:second_factor_off": {"*": 405},  # POST only
    "accounts:user_unlock": {"*": 405},  # POST only
    "accounts:user_reset_2fa": {"*": 405},  # POST only
    "accounts:failed_logins": ADMIN_ONLY,
    "kelurahan:list": {"anonymous": 302, "alice": 200, "bob": 200, "bella": 200, "*": 403},
}


def url_names_of(namespace):
    _prefix, resolver = get_resolver().namespace_dict[namespace]
    return {f"{namespace}:{p.name}" for p in resolver.url_patterns}


def test_it_has_an_expected_status_for_every_url_pattern():
    # A new URL in accounts or kelurahan must be added to the table above.
    assert url_names_of("accounts") | url_names_of("kelurahan") == set(EXPECTED)


def _url(name, everyone):
    if name in (
        "accounts:user_edit",
        "accounts:user_set_password",
        "accounts:notification_open",
        "accounts:user_unlock",
        "accounts:user_reset_2fa",
    ):
        return reverse(name, kwargs={"pk": everyone["carol"].pk})
    return reverse(name)


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_it_answers_each_url_for_each_role_as_the_table_says(as_user, everyone, name, who):
    url = _url(name, everyone)
    expected = EXPECTED[name].get(who, EXPECTED[name]["*"])
    response = as_user(who).get(url)
    assert response.status_code == expected, f"{who} GET {url}"
    if expected == 302 and who == "anonymous":
        assert response.url == login_url(url)
    if expected == 403:
        assert "403.html" in [t.name for t in response.templates]


# --- Home and the start pages -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "start"),
    [
        ("alice", "accounts:user_list"),
        ("bob", "start:petugas"),
        ("bella", "start:petugas"),
        ("charlie", "start:kader"),
        ("carol", "start:kader"),
        ("dave", "start:kpad"),
    ],
)
def test_it_sends_each_role_home_to_its_start_page(as_user, who, start):
    response = as_user(who).get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse(start)
    assert as_user(who).get(response.url).status_code == 200


def test_it_sends_an_anonymous_visitor_home_to_the_login_page(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == login_url("/")


def test_it_sends_a_user_to_their_start_page_after_login(client, charlie):
    response = client.post(
        reverse("accounts:login"), {"username": "charlie", "password": f.TEST_PASSWORD}, follow=True
    )
    assert response.redirect_chain == [(reverse("home"), 302), (reverse("start:kader"), 302)]
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("name", "who"),
    [
        ("home", "bob"),
        ("accounts:user_list", "alice"),
        ("accounts:audit_list", "alice"),
        ("kelurahan:list", "bob"),
    ],
)
def test_it_refuses_a_post_to_a_read_only_page_with_405(as_user, name, who):
    assert as_user(who).post(reverse(name)).status_code == 405


@pytest.mark.parametrize("name", ["accounts:user_create", "accounts:user_edit", "accounts:user_set_password"])
def test_it_refuses_other_methods_on_the_user_forms_with_405(as_user, everyone, name):
    client = as_user("alice")
    url = _url(name, everyone)
    assert client.put(url).status_code == 405
    assert client.delete(url).status_code == 405
    assert User.objects.filter(pk=everyone["carol"].pk).exists()


CASE_ITEMS = ["cases:list", "cases:mine", "cases:report", "cases:escalated"]


@pytest.mark.parametrize(
    ("who", "present", "absent"),
    [
        ("alice", ["accounts:user_list", "accounts:audit_list", "kelurahan:list"], CASE_ITEMS),
        (
            "bob",
            ["kelurahan:list", "cases:list", "cases:report"],
            ["accounts:user_list", "accounts:audit_list", "cases:mine", "cases:escalated"],
        ),
        (
            "charlie",
            ["cases:mine", "cases:report"],
            ["accounts:user_list", "accounts:audit_list", "kelurahan:list", "cases:list", "cases:escalated"],
        ),
        (
            "dave",
            ["cases:escalated"],
            ["accounts:user_list", "accounts:audit_list", "kelurahan:list", "cases:list", "cases:mine"],
        ),
    ],
)
def test_it_renders_only_the_menu_links_the_role_may_use(as_user, who, present, absent):
    response = as_user(who).get(reverse("home"), follow=True)
    nav = response.content.decode().split('id="nav-main"')[1].split("</nav>")[0]
    for name in present:
        assert f'href="{reverse(name)}"' in nav
    for name in absent:
        assert f'href="{reverse(name)}"' not in nav
    # Nothing else: every link in the menu is one the policy gives this role.
    allowed = {item["url"] for item in navigation_for(as_user(who).get("/").wsgi_request.user)}
    allowed |= {
        reverse("accounts:notifications"),
        reverse("accounts:security"),
        reverse("accounts:password_change"),
        reverse("home"),
    }
    for href in re.findall(r'href="([^"#]+)"', nav):
        assert href in allowed, href


# --- Login, logout, password change -------------------------------------------------------------


def test_it_shows_the_login_page_to_an_anonymous_visitor(client, db):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert '<html lang="id">' in response.content.decode()
    assert 'name="username"' in response.content.decode()


def test_it_shows_the_login_page_in_indonesian(client, db):
    html = client.get(reverse("accounts:login")).content.decode()
    assert "Masuk" in html
    assert "Masuk ke SIGAP" in html


def test_it_refuses_a_wrong_password_with_an_indonesian_error(client, charlie):
    response = client.post(reverse("accounts:login"), {"username": "charlie", "password": "salah-sekali-123"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    errors = response.context["form"].non_field_errors()
    assert len(errors) == 1
    assert "Masukkan nama pengguna" in errors[0]
    assert "Masukkan nama pengguna" in response.content.decode()


def test_it_refuses_an_inactive_user_at_login(client, db):
    f.KaderFactory(username="kader_lama", is_active=False)
    response = client.post(reverse("accounts:login"), {"username": "kader_lama", "password": f.TEST_PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_it_logs_out_by_post(as_user):
    client = as_user("bob")
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response.url == reverse("accounts:login")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("start:petugas")).status_code == 302


def test_it_does_not_log_out_by_get(as_user):
    client = as_user("bob")
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.get(reverse("start:petugas")).status_code == 200


def test_it_changes_the_password_given_the_old_one(as_user, everyone):
    client = as_user("carol")
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": f.TEST_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response.url == reverse("accounts:password_change_done")
    carol = User.objects.get(username="carol")
    assert carol.check_password(NEW_PASSWORD)
    # The session survives the change.
    assert client.get(reverse("accounts:password_change_done")).status_code == 200
    assert client.get(reverse("start:kader")).status_code == 200


def test_it_refuses_a_password_change_with_a_wrong_old_password(as_user, everyone):
    client = as_user("carol")
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "bukan-ini-123", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    assert "Sandi lama Anda yang dimasukkan salah" in response.content.decode()
    assert User.objects.get(username="carol").check_password(f.TEST_PASSWORD)


def test_it_refuses_a_password_change_without_the_old_password(as_user, everyone):
    client = as_user("carol")
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    assert User.objects.get(username="carol").check_password(f.TEST_PASSWORD)


# --- User management (admin) --------------------------------------------------------------------


def listed(response):
    return [u.username for u in response.context["page"].object_list]


def test_it_lists_every_user_for_the_admin(as_user, everyone):
    response = as_user("alice").get(reverse("accounts:user_list"))
    assert response.status_code == 200
    assert sorted(listed(response)) == sorted(everyone)
    html = response.content.decode()
    assert reverse("accounts:user_edit", kwargs={"pk": everyone["carol"].pk}) in html
    assert "Bansir Laut" in html  # charlie's area


def test_it_filters_the_user_list_by_role(as_user, everyone):
    response = as_user("alice").get(reverse("accounts:user_list"), {"role": "kader"})
    assert sorted(listed(response)) == ["carol", "charlie"]
    response = as_user("alice").get(reverse("accounts:user_list"), {"role": "petugas"})
    assert sorted(listed(response)) == ["bella", "bob"]


def test_it_searches_the_user_list_by_username_name_and_email(as_user, everyone):
    f.PetugasFactory(
        username="hendra_uji", first_name="Qwertyna", last_name="Zyxwa", email="zzunik@sigap.invalid"
    )
    client = as_user("alice")
    for term in ["hendra_u", "QWERTY", "zyxw", "zzunik@"]:
        assert listed(client.get(reverse("accounts:user_list"), {"q": term})) == ["hendra_uji"], term
    assert listed(client.get(reverse("accounts:user_list"), {"q": "tidak-ada-siapa-siapa"})) == []


def test_it_filters_the_user_list_by_active_status(as_user, everyone):
    f.KaderFactory(username="kader_lama", is_active=False)
    client = as_user("alice")
    assert listed(client.get(reverse("accounts:user_list"), {"active": "0"})) == ["kader_lama"]
    active = listed(client.get(reverse("accounts:user_list"), {"active": "1"}))
    assert sorted(active) == sorted(everyone)


def test_it_combines_the_user_list_filters(as_user, everyone):
    f.KaderFactory(username="kader_lama", is_active=False)
    response = as_user("alice").get(
        reverse("accounts:user_list"), {"role": "kader", "active": "1", "q": "car"}
    )
    assert listed(response) == ["carol"]


def test_it_keeps_the_user_list_query_count_flat(as_user, everyone, django_assert_max_num_queries):
    client = as_user("alice")
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("accounts:user_list"))
    for i in range(15):
        f.KaderFactory(username=f"kader{i:02}", kelurahan=f.kelurahan(f.SIANTAN_HULU))
        f.PetugasFactory(username=f"petugas{i:02}", kecamatan=f.kecamatan(f.PONTIANAK_UTARA))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("accounts:user_list"))
    assert len(listed(response)) == 36
    # Session, user, notifications, count, page, and the page's lock states (one query).
    with django_assert_max_num_queries(6):
        client.get(reverse("accounts:user_list"))


def new_user_data(**overrides):
    data = {
        "username": "kader_baru",
        "first_name": "Nur",
        "last_name": "Aini",
        "email": "nur.aini@sigap.invalid",
        "phone": "081234567890",
        "role": "kader",
        "kelurahan": "",
        "kecamatan": "",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    return {**data, **overrides}


def test_it_refuses_a_kader_without_a_kelurahan_and_keeps_what_was_typed(as_user, everyone):
    before = AuditEvent.objects.count()
    response = as_user("alice").post(reverse("accounts:user_create"), new_user_data())
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["kelurahan"]
    assert not User.objects.filter(username="kader_baru").exists()
    assert AuditEvent.objects.count() == before
    html = response.content.decode()
    for value in ["kader_baru", "Nur", "Aini", "nur.aini@sigap.invalid", "081234567890"]:
        assert f'value="{value}"' in html
    assert '<option value="kader" selected>' in html


def test_it_explains_a_missing_kelurahan_in_indonesian(as_user, everyone):
    response = as_user("alice").post(reverse("accounts:user_create"), new_user_data())
    assert response.context["form"].errors["kelurahan"] == ["Kader harus terikat pada satu kelurahan."]
    assert "Kader harus terikat pada satu kelurahan." in response.content.decode()


def test_it_creates_a_kader_with_a_kelurahan_and_audits_it(as_user, everyone):
    bansir_laut = f.kelurahan(f.BANSIR_LAUT)
    response = as_user("alice").post(
        reverse("accounts:user_create"), new_user_data(kelurahan=bansir_laut.pk), REMOTE_ADDR="10.20.30.40"
    )
    assert response.status_code == 302
    assert response.url == reverse("accounts:user_list")
    kader = User.objects.get(username="kader_baru")
    assert kader.role == Role.KADER
    assert kader.kelurahan == bansir_laut
    assert kader.kecamatan is None
    assert kader.first_name == "Nur"
    assert kader.phone == "081234567890"
    assert not kader.is_staff
    assert kader.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action="user.create", target_id=str(kader.pk))
    assert event.actor == everyone["alice"]
    assert event.target_type == "accounts.user"
    assert event.ip_address == "10.20.30.40"
    assert event.details["kelurahan"] == f.BANSIR_LAUT
    assert event.details["role"] == "kader"
    assert NEW_PASSWORD not in str(event.details)


def test_it_creates_a_petugas_limited_to_a_kecamatan(as_user, everyone):
    utara = f.kecamatan(f.PONTIANAK_UTARA)
    response = as_user("alice").post(
        reverse("accounts:user_create"),
        new_user_data(username="petugas_baru", role="petugas", kecamatan=utara.pk),
    )
    assert response.status_code == 302
    petugas = User.objects.get(username="petugas_baru")
    assert petugas.role == Role.PETUGAS
    assert petugas.kecamatan == utara
    assert petugas.kelurahan is None


def test_it_drops_a_kelurahan_given_with_the_petugas_role(as_user, everyone):
    response = as_user("alice").post(
        reverse("accounts:user_create"),
        new_user_data(username="petugas_baru", role="petugas", kelurahan=f.kelurahan(f.BANSIR_LAUT).pk),
    )
    assert response.status_code == 302
    petugas = User.objects.get(username="petugas_baru")
    assert petugas.kelurahan is None
    assert (
        AuditEvent.objects.get(action="user.create", target_id=str(petugas.pk)).details["kelurahan"] is None
    )


def test_it_drops_a_kecamatan_given_with_the_kader_role(as_user, everyone):
    response = as_user("alice").post(
        reverse("accounts:user_create"),
        new_user_data(kelurahan=f.kelurahan(f.BANSIR_LAUT).pk, kecamatan=f.kecamatan(f.PONTIANAK_UTARA).pk),
    )
    assert response.status_code == 302
    assert User.objects.get(username="kader_baru").kecamatan is None


def test_it_creates_an_admin_who_can_open_the_user_pages(as_user, everyone):
    as_user("alice").post(reverse("accounts:user_create"), new_user_data(username="admin_baru", role="admin"))
    admin = User.objects.get(username="admin_baru")
    assert admin.role == Role.ADMIN
    assert admin.is_staff


def test_it_refuses_a_taken_username(as_user, everyone):
    response = as_user("alice").post(
        reverse("accounts:user_create"),
        new_user_data(username="carol", kelurahan=f.kelurahan(f.BANSIR_LAUT).pk),
    )
    assert response.status_code == 200
    assert "username" in response.context["form"].errors
    assert User.objects.get(username="carol").kelurahan.code == f.SIANTAN_HULU


def test_it_refuses_mismatched_or_weak_passwords_on_create(as_user, everyone):
    kel = f.kelurahan(f.BANSIR_LAUT).pk
    client = as_user("alice")
    response = client.post(
        reverse("accounts:user_create"), new_user_data(kelurahan=kel, password2="lain-sekali-99")
    )
    assert "password2" in response.context["form"].errors
    response = client.post(
        reverse("accounts:user_create"), new_user_data(kelurahan=kel, password1="1234", password2="1234")
    )
    assert "password2" in response.context["form"].errors
    assert not User.objects.filter(username="kader_baru").exists()


def edit_data(user, **overrides):
    data = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "phone": user.phone,
        "role": user.role,
        "kelurahan": user.kelurahan_id or "",
        "kecamatan": user.kecamatan_id or "",
        "is_active": "on" if user.is_active else "",
    }
    data = {**data, **overrides}
    return {k: v for k, v in data.items() if not (k == "is_active" and v == "")}


def test_it_moves_a_kader_to_petugas_and_audits_what_changed(as_user, everyone):
    carol = everyone["carol"]
    utara = f.kecamatan(f.PONTIANAK_UTARA)
    response = as_user("alice").post(
        reverse("accounts:user_edit", kwargs={"pk": carol.pk}),
        edit_data(carol, role="petugas", kecamatan=utara.pk),
        REMOTE_ADDR="10.9.8.7",
    )
    assert response.status_code == 302
    carol.refresh_from_db()
    assert carol.role == Role.PETUGAS
    assert carol.kelurahan is None  # the kelurahan follows the role away
    assert carol.kecamatan == utara
    event = AuditEvent.objects.get(action="user.update", target_id=str(carol.pk))
    assert event.actor == everyone["alice"]
    assert event.ip_address == "10.9.8.7"
    assert event.details["changed"] == {
        "role": ["kader", "petugas"],
        "kelurahan": [f.SIANTAN_HULU, None],
        "kecamatan": [None, f.PONTIANAK_UTARA],
    }
    assert event.details["fields"] == []


def test_it_moves_a_kader_to_another_kelurahan(as_user, everyone):
    charlie = everyone["charlie"]
    bansir_darat = f.kelurahan(f.BANSIR_DARAT)
    as_user("alice").post(
        reverse("accounts:user_edit", kwargs={"pk": charlie.pk}),
        edit_data(charlie, kelurahan=bansir_darat.pk),
    )
    charlie.refresh_from_db()
    assert charlie.kelurahan == bansir_darat
    event = AuditEvent.objects.get(action="user.update", target_id=str(charlie.pk))
    assert event.details["changed"] == {"kelurahan": [f.BANSIR_LAUT, f.BANSIR_DARAT]}


def test_it_deactivates_a_user_and_audits_it(as_user, everyone):
    dave = everyone["dave"]
    as_user("alice").post(
        reverse("accounts:user_edit", kwargs={"pk": dave.pk}), edit_data(dave, is_active="")
    )
    dave.refresh_from_db()
    assert not dave.is_active
    event = AuditEvent.objects.get(action="user.update", target_id=str(dave.pk))
    assert event.details["changed"] == {"is_active": [True, False]}


def test_it_names_the_changed_personal_fields_without_their_values(as_user, everyone):
    bob = everyone["bob"]
    as_user("alice").post(
        reverse("accounts:user_edit", kwargs={"pk": bob.pk}), edit_data(bob, phone="089999999999")
    )
    event = AuditEvent.objects.get(action="user.update", target_id=str(bob.pk))
    assert event.details == {"changed": {}, "fields": ["phone"]}
    assert "089999999999" not in str(event.details)


def test_it_does_not_change_the_username_on_edit(as_user, everyone):
    bob = everyone["bob"]
    as_user("alice").post(
        reverse("accounts:user_edit", kwargs={"pk": bob.pk}), {**edit_data(bob), "username": "robert"}
    )
    assert User.objects.filter(pk=bob.pk, username="bob").exists()


def test_it_refuses_an_edit_that_leaves_a_kader_without_kelurahan(as_user, everyone):
    carol = everyone["carol"]
    response = as_user("alice").post(
        reverse("accounts:user_edit", kwargs={"pk": carol.pk}), edit_data(carol, kelurahan="")
    )
    assert response.status_code == 200
    assert "kelurahan" in response.context["form"].errors
    carol.refresh_from_db()
    assert carol.kelurahan.code == f.SIANTAN_HULU
    assert not AuditEvent.objects.filter(action="user.update").exists()


def test_it_does_not_let_an_admin_demote_themselves(as_user, everyone):
    alice = everyone["alice"]
    response = as_user("alice").post(
        reverse("accounts:user_edit", kwargs={"pk": alice.pk}), edit_data(alice, role="petugas")
    )
    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    alice.refresh_from_db()
    assert alice.role == Role.ADMIN
    assert not AuditEvent.objects.filter(action="user.update").exists()


def test_it_does_not_let_an_admin_deactivate_themselves(as_user, everyone):
    alice = everyone["alice"]
    response = as_user("alice").post(
        reverse("accounts:user_edit", kwargs={"pk": alice.pk}), edit_data(alice, is_active="")
    )
    assert response.status_code == 200
    assert "is_active" in response.context["form"].errors
    alice.refresh_from_db()
    assert alice.is_active


def test_it_lets_an_admin_edit_their_own_name(as_user, everyone):
    alice = everyone["alice"]
    response = as_user("alice").post(
        reverse("accounts:user_edit", kwargs={"pk": alice.pk}), edit_data(alice, first_name="Alisa")
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.first_name == "Alisa"
    assert alice.role == Role.ADMIN


def test_it_lets_an_admin_demote_another_admin(as_user, everyone):
    other = f.AdminFactory(username="admin2")
    response = as_user("alice").post(
        reverse("accounts:user_edit", kwargs={"pk": other.pk}), edit_data(other, role="kpad")
    )
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.role == Role.KPAD
    assert not other.is_staff


def test_it_sets_a_password_and_audits_it(as_user, everyone):
    carol = everyone["carol"]
    response = as_user("alice").post(
        reverse("accounts:user_set_password", kwargs={"pk": carol.pk}),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response.url == reverse("accounts:user_list")
    carol.refresh_from_db()
    assert carol.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action="user.set_password", target_id=str(carol.pk))
    assert event.actor == everyone["alice"]
    assert event.ip_address == "127.0.0.1"
    assert NEW_PASSWORD not in str(event.details)


def test_it_refuses_mismatched_passwords_when_setting_one(as_user, everyone):
    carol = everyone["carol"]
    response = as_user("alice").post(
        reverse("accounts:user_set_password", kwargs={"pk": carol.pk}),
        {"password1": NEW_PASSWORD, "password2": "Lain-sama-sekali-88"},
    )
    assert response.status_code == 200
    assert "password2" in response.context["form"].errors
    carol.refresh_from_db()
    assert carol.check_password(f.TEST_PASSWORD)
    assert not AuditEvent.objects.filter(action="user.set_password").exists()


def test_it_refuses_a_weak_password_when_setting_one(as_user, everyone):
    carol = everyone["carol"]
    response = as_user("alice").post(
        reverse("accounts:user_set_password", kwargs={"pk": carol.pk}),
        {"password1": "carol", "password2": "carol"},
    )
    assert response.status_code == 200
    assert "password2" in response.context["form"].errors


@pytest.mark.parametrize("who", ["bob", "bella", "charlie", "carol", "dave"])
def test_it_refuses_user_management_to_other_roles(as_user, everyone, who):
    client = as_user(who)
    target = everyone["dave"] if who != "dave" else everyone["bob"]
    before = (User.objects.count(), AuditEvent.objects.count())
    create = client.post(
        reverse("accounts:user_create"), new_user_data(kelurahan=f.kelurahan(f.BANSIR_LAUT).pk)
    )
    edit = client.post(
        reverse("accounts:user_edit", kwargs={"pk": target.pk}), edit_data(target, is_active="")
    )
    password = client.post(
        reverse("accounts:user_set_password", kwargs={"pk": target.pk}),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert [create.status_code, edit.status_code, password.status_code] == [403, 403, 403]
    assert (User.objects.count(), AuditEvent.objects.count()) == before
    target.refresh_from_db()
    assert target.is_active
    assert target.check_password(f.TEST_PASSWORD)


@pytest.mark.parametrize("name", ["accounts:user_edit", "accounts:user_set_password"])
def test_it_answers_404_for_a_user_that_does_not_exist(as_user, everyone, name):
    missing = User.objects.order_by("-pk").first().pk + 1000
    client = as_user("alice")
    assert client.get(reverse(name, kwargs={"pk": missing})).status_code == 404
    assert client.post(reverse(name, kwargs={"pk": missing}), {}).status_code == 404


# --- Audit log ----------------------------------------------------------------------------------


def events_of(response):
    return [(e.action, e.actor.username if e.actor else None) for e in response.context["events"]]


@pytest.fixture
def audit_trail(everyone):
    """Three events on three days (Pontianak time), by alice and by the system."""
    alice = everyone["alice"]
    wib = timezone.get_default_timezone()
    with time_machine.travel(dt.datetime(2026, 1, 5, 9, 0, tzinfo=wib), tick=False):
        # A petugas: a kader's account would also put the cadre on the roster (two more rows).
        services.user_create(
            actor=alice, username="petugas_a", password=NEW_PASSWORD, role=Role.PETUGAS, ip="10.0.0.1"
        )
    with time_machine.travel(dt.datetime(2026, 1, 6, 0, 30, tzinfo=wib), tick=False):
        # 00:30 in Pontianak is still 5 January in UTC: the filter must use the local date.
        services.user_update(actor=alice, user=everyone["dave"], is_active=False)
    with time_machine.travel(dt.datetime(2026, 1, 7, 14, 0, tzinfo=wib), tick=False):
        services.user_create(actor=None, username="sistem_a", password=NEW_PASSWORD, role=Role.KPAD)
    return alice


def test_it_shows_the_admin_the_audit_log_newest_first(as_user, audit_trail):
    response = as_user("alice").get(reverse("accounts:audit_list"))
    assert response.status_code == 200
    assert events_of(response) == [("user.create", None), ("user.update", "alice"), ("user.create", "alice")]
    html = response.content.decode()
    assert "10.0.0.1" in html
    assert "user.update" in html


def test_it_filters_the_audit_log_by_actor(as_user, audit_trail):
    response = as_user("alice").get(reverse("accounts:audit_list"), {"actor": "alice"})
    assert events_of(response) == [("user.update", "alice"), ("user.create", "alice")]
    assert events_of(as_user("alice").get(reverse("accounts:audit_list"), {"actor": "bob"})) == []


def test_it_filters_the_audit_log_by_action(as_user, audit_trail):
    response = as_user("alice").get(reverse("accounts:audit_list"), {"action": "user.create"})
    assert events_of(response) == [("user.create", None), ("user.create", "alice")]
    response = as_user("alice").get(reverse("accounts:audit_list"), {"action": "user."})
    assert len(events_of(response)) == 3


def test_it_filters_the_audit_log_by_local_date(as_user, audit_trail):
    client = as_user("alice")
    response = client.get(
        reverse("accounts:audit_list"), {"date_from": "2026-01-06", "date_to": "2026-01-06"}
    )
    assert events_of(response) == [("user.update", "alice")]
    response = client.get(reverse("accounts:audit_list"), {"date_from": "2026-01-06"})
    assert events_of(response) == [("user.create", None), ("user.update", "alice")]
    response = client.get(reverse("accounts:audit_list"), {"date_to": "2026-01-05"})
    assert events_of(response) == [("user.create", "alice")]


def test_it_filters_the_audit_log_by_record(as_user, audit_trail, everyone):
    response = as_user("alice").get(
        reverse("accounts:audit_list"),
        {"target_type": "accounts.user", "target_id": str(everyone["dave"].pk)},
    )
    assert events_of(response) == [("user.update", "alice")]


def test_it_pages_the_audit_log_without_counting(as_user, everyone, monkeypatch):
    from accounts import views

    monkeypatch.setattr(views, "AUDIT_PAGE_SIZE", 2)
    for i in range(5):
        services.audit_record(actor=everyone["alice"], action=f"test.{i}", target=everyone["bob"])
    client = as_user("alice")
    first = client.get(reverse("accounts:audit_list"))
    assert [e.action for e in first.context["events"]] == ["test.4", "test.3"]
    assert first.context["has_next"] and not first.context["has_previous"]
    last = client.get(reverse("accounts:audit_list"), {"page": "3"})
    assert [e.action for e in last.context["events"]] == ["test.0"]
    assert not last.context["has_next"] and last.context["has_previous"]
    assert client.get(reverse("accounts:audit_list"), {"page": "x"}).context["page_number"] == 1


def test_it_keeps_the_audit_log_query_count_flat(as_user, everyone, django_assert_max_num_queries):
    for i in range(30):
        services.audit_record(
            actor=everyone["alice"] if i % 2 else everyone["bob"], action="test", target=everyone["dave"]
        )
    client = as_user("alice")
    # One more than the rows' own queries: the actor filter's choices.
    with django_assert_max_num_queries(5):
        response = client.get(reverse("accounts:audit_list"))
    assert len(response.context["events"]) == 30


@pytest.mark.parametrize("who", ["bob", "bella", "charlie", "carol", "dave"])
def test_it_refuses_the_audit_log_to_other_roles(as_user, who):
    assert as_user(who).get(reverse("accounts:audit_list")).status_code == 403


def test_it_uses_the_regions_loaded_by_the_migration(db):
    # The page tests above rely on Pontianak's regions being in the test database.
    assert Kecamatan.objects.count() == 6
    assert Kelurahan.objects.count() == 29
