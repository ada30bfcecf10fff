"""Attachments keep no trace of where a photo was taken or what the file was called.

A phone's JPEG carries its GPS position (often the child's home) and its maker; a file's name
("Foto luka Siti.jpg") may carry the child's name. SIGAP stores the picture alone, turned as
its EXIF said, under a random name, and gives downloads a neutral name unless a staff member
asks for the original.
"""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, PngImagePlugin

from tests import factories as f
from tests import images

pytestmark = pytest.mark.django_db

ORIGINAL = "Foto luka Siti Aminah.jpg"


@pytest.fixture
def case(settings, tmp_path, charlie):
    settings.MEDIA_ROOT = tmp_path
    return f.make_case(actor=charlie)


def upload(client, case, name: str, content: bytes, kind: str = "foto"):
    return client.post(
        reverse("cases:attachment_upload", args=[case.number]),
        {"upload-file": SimpleUploadedFile(name, content), "upload-kind": kind, "upload-description": ""},
    )


def stored(case) -> bytes:
    attachment = case.attachments.get()
    with attachment.file.open("rb") as fh:
        return fh.read()


def test_a_photo_loses_its_gps_and_camera_but_keeps_its_orientation(client_for, charlie, case):
    original = images.jpeg_with_gps(size=(8, 6), orientation=6)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the GPS is there to lose

    assert upload(client_for(charlie), case, ORIGINAL, original).status_code == 302

    content = stored(case)
    image = Image.open(io.BytesIO(content))
    assert image.format == "JPEG"
    assert dict(image.getexif()) == {}
    assert not image.getexif().get_ifd(0x8825)
    assert b"SIGAPPhone" not in content and b"Exif" not in content
    # Orientation 6 says "turn 90° to show": applied, so the stored picture stands upright.
    assert image.size == (6, 8)
    assert case.attachments.get().size == len(content)


def test_a_png_loses_its_text_chunks(client_for, charlie, case):
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "Rumah Siti Aminah, Jl. Rahasia 9")
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (1, 2, 3)).save(out, format="PNG", pnginfo=info)

    assert upload(client_for(charlie), case, "a.png", out.getvalue()).status_code == 302

    content = stored(case)
    assert b"Siti" not in content and Image.open(io.BytesIO(content)).size == (4, 4)


def test_stored_and_downloaded_names_carry_nothing_of_the_original(client_for, charlie, case):
    client = client_for(charlie)
    upload(client, case, ORIGINAL, images.JPEG)
    attachment = case.attachments.get()
    assert "Siti" not in attachment.file.name
    url = reverse("cases:attachment_download", args=[case.number, attachment.pk])
    assert "Siti" not in url

    response = client.get(url)
    assert response["Content-Disposition"] == f'attachment; filename="lampiran-{case.number}-1.jpg"'
    # A kader asking for the original name still gets the neutral one.
    response = client.get(url + "?nama=asli")
    assert response["Content-Disposition"] == f'attachment; filename="lampiran-{case.number}-1.jpg"'
    html = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert "Siti Aminah.jpg" not in html and f"lampiran-{case.number}-1.jpg" in html


def test_staff_see_the_original_name_and_may_download_under_it(client_for, charlie, bob, case):
    upload(client_for(charlie), case, "surat.pdf", b"%PDF-1.4\n%%EOF\n", kind="dokumen")
    upload(client_for(charlie), case, ORIGINAL, images.JPEG)
    first, second = sorted(case.attachments.all(), key=lambda a: a.pk)
    client = client_for(bob)
    html = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert ORIGINAL in html and "?nama=asli" in html

    url = reverse("cases:attachment_download", args=[case.number, second.pk])
    assert client.get(url)["Content-Disposition"] == f'attachment; filename="lampiran-{case.number}-2.jpg"'
    assert client.get(url + "?nama=asli")["Content-Disposition"] == f'attachment; filename="{ORIGINAL}"'
    first_url = reverse("cases:attachment_download", args=[case.number, first.pk])
    assert (
        client.get(first_url)["Content-Disposition"] == f'attachment; filename="lampiran-{case.number}-1.pdf"'
    )
