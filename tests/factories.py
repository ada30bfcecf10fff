"""Factories for tests. Synthetic data only."""

import factory
from factory.django import DjangoModelFactory

from accounts.models import Role, User
from kelurahan import loader
from kelurahan.models import Kecamatan, Kelurahan

TEST_PASSWORD = "uji-sigap-2026"  # noqa: S105


def ensure_regions() -> None:
    """Reload Pontianak's regions if a transactional test flushed the data migration's rows."""
    if not Kelurahan.objects.exists():
        loader.apply(
            loader.parse_files(loader.PONTIANAK_WILAYAH, loader.PONTIANAK_CROSSWALK),
            kecamatan_model=Kecamatan,
            kelurahan_model=Kelurahan,
        )


def kelurahan(code: str) -> Kelurahan:
    """One of Pontianak's 29 kelurahan, as loaded by the data migration."""
    ensure_regions()
    return Kelurahan.objects.select_related("kecamatan").get(code=code)


def kecamatan(code: str) -> Kecamatan:
    ensure_regions()
    return Kecamatan.objects.get(code=code)


BANSIR_LAUT = "61.71.06.1001"  # Pontianak Tenggara
BANSIR_DARAT = "61.71.06.1002"  # Pontianak Tenggara
SIANTAN_HULU = "61.71.04.1001"  # Pontianak Utara
PONTIANAK_TENGGARA = "61.71.06"
PONTIANAK_UTARA = "61.71.04"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="id_ID")
    last_name = factory.Faker("last_name", locale="id_ID")
    email = factory.LazyAttribute(lambda u: f"{u.username}@sigap.invalid")
    role = Role.PETUGAS
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class AdminFactory(UserFactory):
    role = Role.ADMIN
    is_staff = True


class PetugasFactory(UserFactory):
    role = Role.PETUGAS


class KaderFactory(UserFactory):
    role = Role.KADER
    kelurahan = factory.LazyFunction(lambda: kelurahan(BANSIR_LAUT))


class KpadFactory(UserFactory):
    role = Role.KPAD


def make_case(*, actor, children=None, perpetrators=None, violence_types=("fisik",), **fields):
    """A case reported through the real intake service (so events, cadre link and audit exist)."""
    import datetime as dt

    from django.utils import timezone

    from cases import services

    values = {
        "incident_date": timezone.localdate() - dt.timedelta(days=3),
        "place_type": "rumah_tangga",
        "kelurahan": actor.kelurahan if actor.kelurahan_id else kelurahan(BANSIR_LAUT),
        "narrative": "Laporan sintetis untuk pengujian.",
        "source": "kader" if actor.role == Role.KADER else "walk_in",
        "risk": "sedang",
        "family_informed": True,
    }
    values.update(fields)
    if children is None:
        children = [services.ChildData(name="Anak Uji", sex="P", birth_date=dt.date(2014, 3, 2))]
    return services.case_create(
        actor=actor,
        violence_types=list(violence_types),
        children=children,
        perpetrators=perpetrators or [],
        **values,
    )


def make_supervisor(user):
    """Mark a petugas as supervisor (Kasubid PP & PA): they approve plans and closures."""
    user.is_supervisor = True
    user.save(update_fields=["is_supervisor"])
    return user


def make_ready_for_handling(case, *, actor, due_on=None, risk="sedang"):
    """An assessment of every child and a service plan with one action owned by ``actor``
    (a petugas), through the services: what moving past "asesmen" needs."""
    import datetime as dt

    from django.utils import timezone

    from cases import casework_services

    for child in case.children.all():
        casework_services.assessment_record(
            actor=actor,
            case=case,
            child=child,
            assessed_on=timezone.localdate(),
            overall_risk=risk,
            risk_reason="Penilaian sintetis untuk pengujian.",
        )
    return casework_services.plan_create(
        actor=actor,
        case=case,
        goals="Anak aman di rumah",
        actions=[
            casework_services.ActionData(
                title="Kunjungan rumah",
                owner_kind="petugas",
                owner_user=actor,
                due_on=due_on or timezone.localdate() + dt.timedelta(days=7),
            )
        ],
    )
