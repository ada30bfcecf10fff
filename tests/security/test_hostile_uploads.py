"""Hostile attachments: what an attacker might upload to a case, and what SIGAP does with it.

The type is judged by content; an image is decoded and saved again (so a polyglot's hidden
part is gone); a pixel bomb, an SVG with a script, an HTML page renamed .jpg and an oversize
file are refused at the field; whatever is stored goes out only as a sandboxed download.
"""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.attachments import MAX_IMAGE_PIXELS
from tests import factories as f
from tests import images

pytestmark = pytest.mark.django_db

SCRIPT = b"<script>alert(document.cookie)</script>"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_declaring(width: int, height: int) -> bytes:
    """A PNG of a few bytes whose header claims ``width`` x ``height`` pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _chunk(b"IEND", b"")
    )


def _zip_with_script() -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("index.html", SCRIPT)
    return out.getvalue()


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
REFUSED = [
    ("svg-with-script.svg", SVG),
    ("svg-renamed.png", SVG),
    ("page.jpg", b"<!DOCTYPE html><html><body>" + SCRIPT + b"</body></html>"),
    ("program.pdf", b"MZ\x90\x00" + b"\x00" * 60),
    ("pixel-bomb.png", png_declaring(50_000, 50_000)),
    ("just-too-many-pixels.png", png_declaring(9_000, 9_000)),
    ("truncated.jpg", images.JPEG[:40]),
    ("png-body-jpeg-head.jpg", b"\xff\xd8\xff\xe0" + images.PNG),
]
POLYGLOTS = [
    ("jpeg-and-html.jpg", images.JPEG + SCRIPT),
    ("jpeg-and-zip.jpg", images.JPEG + _zip_with_script()),
    ("png-and-html.png", images.PNG + SCRIPT),
]


@pytest.fixture
def case(settings, tmp_path, charlie):
    settings.MEDIA_ROOT = tmp_path
    return f.make_case(actor=charlie)


def upload(client, case, name, content, kind="dokumen"):
    return client.post(
        reverse("cases:attachment_upload", args=[case.number]),
        {"upload-file": SimpleUploadedFile(name, content), "upload-kind": kind, "upload-description": ""},
    )


def test_hostile_files_are_refused_at_the_field(client_for, charlie, case, tally):
    assert 9_000 * 9_000 > MAX_IMAGE_PIXELS
    client = client_for(charlie)
    for name, content in REFUSED:
        response = upload(client, case, name, content)
        tally.add("hostile files uploaded")
        tally.add("requests")
        assert response.status_code == 400, name
        assert response.context["forms"]["upload"].errors["file"], name
    assert not case.attachments.exists()


def test_a_pixel_bomb_is_named_for_what_it_is(client_for, charlie, case):
    response = upload(client_for(charlie), case, "bom.png", png_declaring(50_000, 50_000))
    assert "megapiksel" in " ".join(response.context["forms"]["upload"].errors["file"])


def test_a_polyglot_image_is_stored_as_the_picture_alone(client_for, charlie, case, tally):
    client = client_for(charlie)
    for name, content in POLYGLOTS:
        assert upload(client, case, name, content, kind="dokumen").status_code == 302, name
        tally.add("hostile files uploaded")
        tally.add("requests")
    for attachment in case.attachments.all():
        with attachment.file.open("rb") as fh:
            stored = fh.read()
        assert b"<script" not in stored and b"index.html" not in stored


def test_an_oversize_file_is_refused(client_for, charlie, case, settings, tally):
    settings.SIGAP_ATTACHMENT_MAX_BYTES = 2048
    response = upload(client_for(charlie), case, "besar.pdf", b"%PDF-1.4\n" + b"0" * 4096)
    tally.add("hostile files uploaded")
    tally.add("requests")
    assert response.status_code == 400
    assert "file" in response.context["forms"]["upload"].errors


def test_a_pdf_that_is_also_a_web_page_goes_out_only_as_a_sandboxed_download(
    client_for, charlie, case, tally
):
    polyglot = b"%PDF-1.4\n<html><body>" + SCRIPT + b"</body></html>\n%%EOF\n"
    client = client_for(charlie)
    assert upload(client, case, "surat.html", polyglot).status_code == 302
    attachment = case.attachments.get()
    response = client.get(reverse("cases:attachment_download", args=[case.number, attachment.pk]))
    tally.add("hostile files uploaded")
    tally.add("requests", 2)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Disposition"].endswith('.pdf"')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
