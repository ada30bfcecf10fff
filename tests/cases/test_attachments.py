"""Attachments: the type decided by content, a size limit, private storage, and downloads
served only through the access policy with safe headers."""

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone, translation

from accounts.models import AuditEvent
from cases import attachments, services
from cases.models import Case, ClosureReason, Status
from tests import factories as f
from tests import images

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = images.PNG
JPEG = images.JPEG
WEBP = images.WEBP
HTML = b"<!DOCTYPE html><html><script>alert(1)</script></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 32


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private_media"
    return settings.MEDIA_ROOT


@pytest.fixture
def case(media, charlie):
    return f.make_case(actor=charlie)


def upload(client, case, name: str, content: bytes, kind: str = "dokumen", description: str = ""):
    return client.post(
        reverse("cases:attachment_upload", args=[case.number]),
        {
            "upload-file": SimpleUploadedFile(name, content, content_type="application/octet-stream"),
            "upload-kind": kind,
            "upload-description": description,
        },
    )


# --- Content checks ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (PDF, "application/pdf"),
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
        (WEBP, "image/webp"),
        (HTML, None),
        (EXE, None),
        (b"", None),
        (b"RIFF\x00\x00\x00\x00WAVE", None),
    ],
    ids=["pdf", "png", "jpeg", "webp", "html", "exe", "empty", "wav"],
)
def test_it_tells_the_type_by_the_first_bytes(head, expected):
    assert attachments.sniff_content_type(head[:16]) == expected


@pytest.mark.parametrize(
    ("original", "content_type", "expected"),
    [
        ("Surat keterangan.pdf", "application/pdf", "Surat keterangan.pdf"),
        ("foto.pdf", "image/png", "foto.png"),
        ("../../etc/passwd", "application/pdf", "passwd.pdf"),
        ("C:\\Users\\kader\\hasil visum.JPG", "image/jpeg", "hasil visum.jpg"),
        ('x";\r\nSet-Cookie: a=b.png', "image/png", "x_Set-Cookie_ a_b.png"),
        ("Ñoño ünïcode.webp", "image/webp", "Nono unicode.webp"),
        ("....", "application/pdf", "lampiran.pdf"),
    ],
)
def test_the_download_name_is_sanitised_and_carries_the_real_type(original, content_type, expected):
    assert attachments.download_name(original, content_type) == expected


def test_a_png_renamed_pdf_is_stored_as_the_png_it_is(client_for, case, bob):
    response = upload(client_for(bob), case, "laporan.pdf", PNG)

    assert response.status_code == 302
    attachment = case.attachments.get()
    assert attachment.content_type == "image/png"
    assert attachment.original_name == "laporan.pdf"
    download = client_for(bob).get(reverse("cases:attachment_download", args=[case.number, attachment.pk]))
    assert download["Content-Type"] == "image/png"
    assert f'filename="lampiran-{case.number}-1.png"' in download["Content-Disposition"]


@pytest.mark.parametrize(
    ("name", "content"), [("foto.jpg", HTML), ("foto.jpg", EXE), ("dokumen.pdf", b"hello")]
)
def test_a_file_that_is_not_an_allowed_type_is_refused_at_the_field(
    client_for, case, bob, media, name, content
):
    response = upload(client_for(bob), case, name, content, description="Dokumen penting")

    assert response.status_code == 400
    form = response.context["forms"]["upload"]
    assert "file" in form.errors
    assert "Dokumen penting" in response.content.decode()  # what was typed is kept
    assert not case.attachments.exists()
    assert not any(p.is_file() for p in Path(media).rglob("*"))


def test_the_refusal_says_which_types_are_accepted(client_for, case, bob):
    with translation.override("en"):
        response = upload(client_for(bob), case, "foto.jpg", HTML)

    assert "PDF, JPEG, PNG, atau WebP" in str(response.context["forms"]["upload"].errors["file"])


def test_an_oversized_file_is_refused(client_for, case, bob, settings):
    settings.SIGAP_ATTACHMENT_MAX_BYTES = 1024

    response = upload(client_for(bob), case, "besar.pdf", PDF + b"0" * 2000)

    assert response.status_code == 400
    assert "file" in response.context["forms"]["upload"].errors
    assert not case.attachments.exists()


def test_a_file_at_the_limit_is_accepted(client_for, case, bob, settings):
    settings.SIGAP_ATTACHMENT_MAX_BYTES = 1024

    response = upload(client_for(bob), case, "pas.pdf", PDF + b"0" * (1024 - len(PDF)))

    assert response.status_code == 302


def test_a_photo_must_be_an_image(client_for, case, bob):
    response = upload(client_for(bob), case, "foto.pdf", PDF, kind="foto")

    assert response.status_code == 400
    assert "kind" in response.context["forms"]["upload"].errors


@pytest.mark.parametrize(
    ("name", "content", "content_type"), [("a.jpg", JPEG, "image/jpeg"), ("b.webp", WEBP, "image/webp")]
)
def test_the_reporting_kader_attaches_a_photo(client_for, case, charlie, name, content, content_type):
    response = upload(client_for(charlie), case, name, content, kind="foto")

    assert response.status_code == 302
    attachment = case.attachments.get()
    # The size is what was stored: the picture saved again, without its metadata.
    assert (attachment.content_type, attachment.uploaded_by, attachment.size) == (
        content_type,
        charlie,
        attachment.file.size,
    )


def test_a_kader_may_not_attach_to_a_closed_case(client_for, case, charlie):
    Case.objects.filter(pk=case.pk).update(status=Status.SELESAI, closure_reason=ClosureReason.MOVED)

    assert upload(client_for(charlie), case, "a.pdf", PDF).status_code == 403


def test_another_kader_gets_a_404_on_upload(client_for, case, carol):
    assert upload(client_for(carol), case, "a.pdf", PDF).status_code == 404
    assert not case.attachments.exists()


# --- Storage ------------------------------------------------------------------------------------------------


def _inside(path: Path, folder) -> bool:
    return Path(path).resolve().is_relative_to(Path(folder).resolve())


def test_the_file_is_stored_privately_under_a_random_name(client_for, case, bob, media):
    upload(client_for(bob), case, "Siti Aminah visum.pdf", PDF)
    attachment = case.attachments.get()

    stored = Path(attachment.file.path)
    assert _inside(stored, media) and stored.read_bytes() == PDF
    assert "Siti" not in attachment.file.name and "visum" not in attachment.file.name
    for public in [django_settings.STATIC_ROOT, *django_settings.STATICFILES_DIRS]:
        assert not _inside(stored, public)
    # No URL serves the media folder: only the download view does.
    for guess in [
        f"/{attachment.file.name}",
        f"/media/{attachment.file.name}",
        f"/static/{attachment.file.name}",
    ]:
        with pytest.raises(Resolver404):
            resolve(guess)


def test_the_configured_media_root_is_outside_every_public_folder():
    media_root = Path(django_settings.MEDIA_ROOT)
    for public in [django_settings.STATIC_ROOT, *django_settings.STATICFILES_DIRS]:
        assert not _inside(media_root, public) and not _inside(public, media_root)
    assert not django_settings.MEDIA_URL or django_settings.MEDIA_URL in ("/", "")


# --- Downloads ----------------------------------------------------------------------------------------------


@pytest.fixture
def attachment(case, bob):
    return services.case_add_attachment(
        actor=bob,
        case=case,
        upload=SimpleUploadedFile("Hasil visum.pdf", PDF),
        kind="dokumen",
        content_type="application/pdf",
    )


def download_url(case, attachment) -> str:
    return reverse("cases:attachment_download", args=[case.number, attachment.pk])


@pytest.mark.parametrize("who", ["bob", "charlie"])
def test_a_download_is_an_attachment_with_safe_headers_and_is_audited(
    client, case, attachment, everyone, who
):
    client.force_login(everyone[who])

    response = client.get(download_url(case, attachment), REMOTE_ADDR="198.51.100.4")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="lampiran-{case.number}-1.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    audit = AuditEvent.objects.get(action="case.attachment_download")
    assert (audit.actor, audit.ip_address, audit.details) == (
        everyone[who],
        "198.51.100.4",
        {"attachment": attachment.pk},
    )


@pytest.mark.parametrize("who", ["carol", "alice", "bella", "dave"])
def test_a_download_outside_the_scope_is_a_404(client_for, case, attachment, everyone, who):
    assert client_for(everyone[who]).get(download_url(case, attachment)).status_code == 404
    assert not AuditEvent.objects.filter(action="case.attachment_download").exists()


def test_kpad_may_not_download_from_an_escalated_case(client_for, case, attachment, dave):
    Case.objects.filter(pk=case.pk).update(escalated_at=timezone.now())

    assert client_for(dave).get(download_url(case, attachment)).status_code == 403


def test_an_attachment_of_another_case_is_a_404(client_for, case, bob, charlie):
    other = f.make_case(actor=charlie)
    foreign = services.case_add_attachment(
        actor=bob,
        case=other,
        upload=SimpleUploadedFile("x.pdf", PDF),
        kind="dokumen",
        content_type="application/pdf",
    )

    assert client_for(bob).get(download_url(case, foreign)).status_code == 404


def test_a_lost_file_is_a_404_not_a_crash(client_for, case, attachment, bob):
    Path(attachment.file.path).unlink()

    assert client_for(bob).get(download_url(case, attachment)).status_code == 404
