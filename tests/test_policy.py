"""accounts.policy: capabilities, the `requires` decorator, start pages, navigation and record scopes."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from accounts.models import Role, User
from accounts.policy import (
    NAVIGATION,
    ROLE_CAPABILITIES,
    START_PAGES,
    Cap,
    area_filter,
    capabilities_of,
    navigation_for,
    requires,
    start_url_for,
    user_can,
)
from accounts.selectors import users_visible_to
from kelurahan.models import Kelurahan
from kelurahan.selectors import kelurahan_visible_to
from tests import factories as f

PONTIANAK_UTARA_KELURAHAN = {"61.71.04.1001", "61.71.04.1002", "61.71.04.1003", "61.71.04.1004"}


# --- Capabilities -------------------------------------------------------------------------------


def test_it_gives_the_admin_users_audit_and_regions_but_no_case_work(alice):
    assert capabilities_of(alice) == {
        Cap.MANAGE_USERS,
        Cap.VIEW_AUDIT,
        Cap.VIEW_REGIONS,
        Cap.RECORD_BREACHES,
        Cap.VIEW_RETENTION,
    }
    assert not user_can(alice, Cap.HANDLE_CASES)
    assert not user_can(alice, Cap.REPORT_CASES)


def test_it_gives_petugas_case_cadre_training_and_region_work(bob, bella):
    expected = {
        Cap.VIEW_REGIONS,
        Cap.HANDLE_CASES,
        Cap.REPORT_CASES,
        Cap.ESCALATE_CASES,
        Cap.MANAGE_CADRES,
        Cap.MANAGE_TRAINING,
        Cap.VIEW_REPORTS,
        Cap.EXPORT_IDENTITIES,
        Cap.ENTER_SIMFONI,
        Cap.HANDLE_SUBJECT_REQUESTS,
        Cap.RECORD_BREACHES,
        Cap.VIEW_RETENTION,
        Cap.HOLD_CASES,
    }
    assert capabilities_of(bob) == expected
    # An area limits which records a petugas sees, not which features they use.
    assert capabilities_of(bella) == expected
    assert not user_can(bob, Cap.MANAGE_USERS)
    assert not user_can(bob, Cap.VIEW_AUDIT)


def test_it_lets_a_kader_report_accompany_their_cases_and_log_outreach_only(charlie):
    assert capabilities_of(charlie) == {
        Cap.REPORT_CASES,
        Cap.OWN_CASES,
        Cap.ACCOMPANY_CASES,
        Cap.LOG_OUTREACH,
        Cap.VOTE,
        Cap.OWN_TRAINING,
        Cap.WORK_OFFLINE,
    }
    assert not user_can(charlie, Cap.VIEW_REGIONS)
    assert not user_can(charlie, Cap.HANDLE_CASES)


def test_it_lets_kpad_see_and_review_escalated_cases_only(dave):
    assert capabilities_of(dave) == {Cap.REVIEW_ESCALATIONS, Cap.VIEW_ESCALATED_CASES}
    assert not user_can(dave, Cap.HANDLE_CASES)
    assert not user_can(dave, Cap.VIEW_REGIONS)


def test_it_defines_capabilities_and_a_start_page_for_every_role():
    assert set(ROLE_CAPABILITIES) == set(Role.values)
    assert set(START_PAGES) == set(Role.values)


def test_it_gives_an_anonymous_user_no_capability():
    assert capabilities_of(AnonymousUser()) == frozenset()
    assert not user_can(AnonymousUser(), Cap.VIEW_REGIONS)


@pytest.mark.parametrize("factory", [f.AdminFactory, f.PetugasFactory, f.KaderFactory, f.KpadFactory])
def test_it_gives_an_inactive_user_no_capability(db, factory):
    user = factory(username="nonaktif", is_active=False)
    assert capabilities_of(user) == frozenset()
    assert [item["url_name"] for item in navigation_for(user)] == ["home"]


def test_it_gives_an_unknown_role_no_capability(db):
    user = User(username="aneh", role="superhero")
    assert capabilities_of(user) == frozenset()


# --- The requires decorator ---------------------------------------------------------------------


@requires(Cap.MANAGE_USERS)
def _admin_only_view(request):
    return HttpResponse("ok")


def _request(user):
    request = RequestFactory().get("/rahasia/")
    request.user = user
    return request


def test_it_sends_an_anonymous_user_to_the_login_page():
    response = _admin_only_view(_request(AnonymousUser()))
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next=/rahasia/"


@pytest.mark.parametrize("who", ["bob", "bella", "charlie", "carol", "dave"])
def test_it_refuses_a_role_without_the_capability_with_403(everyone, who):
    with pytest.raises(PermissionDenied):
        _admin_only_view(_request(everyone[who]))


def test_it_lets_a_role_with_the_capability_through(alice):
    response = _admin_only_view(_request(alice))
    assert response.status_code == 200
    assert response.content == b"ok"


def test_it_refuses_an_inactive_admin(db):
    inactive_admin = f.AdminFactory(username="admin_lama", is_active=False)
    with pytest.raises(PermissionDenied):
        _admin_only_view(_request(inactive_admin))


def test_it_marks_the_view_with_its_capability():
    assert _admin_only_view.required_capability == Cap.MANAGE_USERS
    assert _admin_only_view.__name__ == "_admin_only_view"


# --- Start pages --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "url_name"),
    [
        ("alice", "accounts:user_list"),
        ("bob", "start:petugas"),
        ("bella", "start:petugas"),
        ("charlie", "start:kader"),
        ("carol", "start:kader"),
        ("dave", "start:kpad"),
    ],
)
def test_it_sends_each_role_to_its_start_page(everyone, who, url_name):
    assert start_url_for(everyone[who]) == reverse(url_name)


# --- Navigation ---------------------------------------------------------------------------------


PETUGAS_MENU = [
    "home",
    "reports:dashboard",
    "cases:list",
    "cases:report",
    "cadres:list",
    "training:list",
    "board:index",
    "reports:recap",
    "reports:simfoni",
    "reports:exports",
    "privacy:request_list",
    "privacy:breach_list",
    "privacy:retention",
    "kelurahan:list",
]


@pytest.mark.parametrize(
    ("who", "url_names"),
    [
        (
            "alice",
            [
                "home",
                "accounts:user_list",
                "accounts:audit_list",
                "privacy:breach_list",
                "privacy:retention",
                "kelurahan:list",
            ],
        ),
        ("bob", PETUGAS_MENU),
        ("bella", PETUGAS_MENU),
        (
            "charlie",
            [
                "home",
                "cases:mine",
                "cases:report",
                "cadres:my_activity",
                "training:mine",
                "board:my_elections",
            ],
        ),
        (
            "carol",
            [
                "home",
                "cases:mine",
                "cases:report",
                "cadres:my_activity",
                "training:mine",
                "board:my_elections",
            ],
        ),
        ("dave", ["home", "cases:kpad_queue", "cases:escalated"]),
    ],
)
def test_it_shows_each_role_exactly_the_menu_it_can_use(everyone, who, url_names):
    # Items of features not installed (their URL does not resolve) are left out of the menu.
    url_names = [name for name in url_names if _resolves(name)]
    items = navigation_for(everyone[who])
    assert [item["url_name"] for item in items] == url_names
    assert [item["url"] for item in items] == [reverse(name) for name in url_names]


def _resolves(name: str) -> bool:
    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True


def test_it_labels_the_menu_with_translatable_whole_words(alice):
    with translation.override("en"):
        assert [str(i["label"]) for i in navigation_for(alice)] == [
            "Home",
            "Users",
            "Audit log",
            "Data breaches",
            "Retention",
            "Regions",
        ]


def test_it_labels_the_menu_in_indonesian_by_default(alice):
    with translation.override("id"):
        assert [str(i["label"]) for i in navigation_for(alice)] == [
            "Beranda",
            "Pengguna",
            "Log audit",
            "Kebocoran data",
            "Retensi",
            "Wilayah",
        ]


def test_it_only_offers_menu_items_whose_capability_the_user_has(everyone):
    for user in everyone.values():
        for item in navigation_for(user):
            nav = next(n for n in NAVIGATION if n.url_name == item["url_name"])
            assert nav.capability is None or user_can(user, nav.capability)


# --- Record scopes ------------------------------------------------------------------------------


def test_it_does_not_limit_the_admin_a_city_wide_petugas_or_kpad_by_area(alice, bob, dave):
    for user in (alice, bob, dave):
        assert area_filter(user, kelurahan_path="kelurahan") is None


def test_it_limits_a_kader_to_their_kelurahan(charlie):
    q = area_filter(charlie, kelurahan_path="kelurahan")
    assert q.children == [("kelurahan", charlie.kelurahan_id)]
    assert area_filter(charlie, kelurahan_path="pk").children == [("pk", charlie.kelurahan_id)]


def test_it_limits_a_petugas_with_a_kecamatan_to_that_kecamatan(bella):
    q = area_filter(bella, kelurahan_path="case__kelurahan")
    assert q.children == [("case__kelurahan__kecamatan", bella.kecamatan_id)]
    assert area_filter(bella, kelurahan_path="pk").children == [("kecamatan", bella.kecamatan_id)]


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_it_shows_all_29_kelurahan_to_the_admin_and_a_city_wide_petugas(everyone, who):
    visible = kelurahan_visible_to(user=everyone[who])
    assert visible.count() == 29
    assert set(visible.values_list("code", flat=True)) == set(
        Kelurahan.objects.values_list("code", flat=True)
    )


def test_it_shows_a_petugas_limited_to_pontianak_utara_only_its_4_kelurahan(bella):
    codes = set(kelurahan_visible_to(user=bella).values_list("code", flat=True))
    assert codes == PONTIANAK_UTARA_KELURAHAN


def test_it_shows_a_kader_only_their_own_kelurahan(charlie, carol):
    assert list(kelurahan_visible_to(user=charlie).values_list("code", flat=True)) == [f.BANSIR_LAUT]
    assert list(kelurahan_visible_to(user=carol).values_list("code", flat=True)) == [f.SIANTAN_HULU]


def test_it_shows_kpad_every_kelurahan(dave):
    # KPAD's case scope is by escalation, not by area: the region list is not limited.
    assert kelurahan_visible_to(user=dave).count() == 29


def test_it_shows_no_kelurahan_to_an_inactive_or_anonymous_user(db):
    inactive = f.PetugasFactory(username="petugas_lama", is_active=False)
    assert not kelurahan_visible_to(user=inactive).exists()
    assert not kelurahan_visible_to(user=AnonymousUser()).exists()


def test_it_shows_the_admin_every_user(everyone):
    assert set(users_visible_to(user=everyone["alice"])) == set(everyone.values())


@pytest.mark.parametrize("who", ["bob", "bella", "charlie", "carol", "dave"])
def test_it_shows_other_roles_no_user_at_all(everyone, who):
    assert not users_visible_to(user=everyone[who]).exists()


def test_it_shows_an_inactive_admin_no_user(db):
    inactive_admin = f.AdminFactory(username="admin_lama", is_active=False)
    f.PetugasFactory(username="someone")
    assert not users_visible_to(user=inactive_admin).exists()
