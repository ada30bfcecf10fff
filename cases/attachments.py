"""Case attachments: what may be uploaded, and how a stored file goes back out.

The type of an upload is decided by its CONTENT (its first bytes), never by the
name or the browser's claimed content type: a PNG renamed ``.pdf`` is stored
and served as the PNG it is, and an HTML page or a program renamed ``.jpg`` is
refused. Files are stored under MEDIA_ROOT (outside any static or public path)
under a random name and leave only through the download view, which applies
the access policy.

Images are decoded and saved again before they are stored (``scrub_image``): what is kept
is the picture, turned as its EXIF said, and nothing else: no EXIF (a phone's photo carries
the GPS position of where it was taken, often the child's home), no XMP, no comments, and no
bytes of whatever else a polyglot file hid behind the image. An image too large to decode
safely (a "pixel bomb": a few KB declaring 50,000 x 50,000 pixels) is refused at the field.

A download's name says nothing of the child: ``lampiran-<case number>-<n>.<ext>``. The name
the file had on the uploader's phone may hold the child's name; it is kept for those the
access policy lets see it (``CasePermissions.see_file_names``), who may ask for it.
"""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import PurePath

from django.conf import settings
from django.core.files.base import ContentFile
from django.http import FileResponse
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

# Content type -> the file extension it is served with.
ALLOWED_TYPES: dict[str, str] = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
}
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
SNIFF_BYTES = 16
# Beyond any phone's photo (50 MP), below Pillow's own bomb warning (89 MP); decoding takes
# about 4 bytes a pixel, so this bounds an upload's memory to about 300 MB.
MAX_IMAGE_PIXELS = 80_000_000
PIL_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}


def max_bytes() -> int:
    return int(getattr(settings, "SIGAP_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def sniff_content_type(head: bytes) -> str | None:
    """The content type of a file judged by its first bytes, or None when it is not an allowed type."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def sniff_upload(upload) -> str | None:
    """Read the first bytes of an uploaded file (and rewind it) to tell its type."""
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    return sniff_content_type(head or b"")


def image_problem(upload, content_type: str) -> str | None:
    """Why an uploaded image cannot be stored (a message for the field), or None."""
    if content_type not in PIL_FORMATS:
        return None
    too_large = _("The image has more than %(max)d megapixels. Attach a smaller one.") % {
        "max": MAX_IMAGE_PIXELS // 1_000_000
    }
    unreadable = _("The image cannot be read. Take or save it again and attach it once more.")
    upload.seek(0)
    try:
        with Image.open(upload) as image:  # reads the header only
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                return too_large
            if image.format != PIL_FORMATS[content_type]:
                return unreadable
            image.load()  # the whole picture decodes, or it is not one
    except Image.DecompressionBombError:  # Pillow's own limit, met when opening
        return too_large
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return unreadable
    finally:
        upload.seek(0)
    return None


def scrub_image(upload, content_type: str) -> ContentFile:
    """The picture alone, saved again: turned upright as its EXIF said, then without EXIF, XMP,
    text chunks or anything else the file carried. Call after ``image_problem`` said None."""
    upload.seek(0)
    with Image.open(upload) as opened:
        image = ImageOps.exif_transpose(opened)  # the orientation applied, so none is needed
        image.load()
    fmt = PIL_FORMATS[content_type]
    options: dict = {}
    if fmt == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        options = {"quality": 90}
    elif fmt == "WEBP":
        options = {"quality": 90}
    # Colour profiles only say how to show colours; they are kept so a photo looks the same.
    if image.info.get("icc_profile"):
        options["icc_profile"] = image.info["icc_profile"]
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return ContentFile(out.getvalue())


def file_extension(content_type: str) -> str:
    return ALLOWED_TYPES.get(content_type, "")


def neutral_name(*, case_number: str, position: int, content_type: str) -> str:
    """``lampiran-SGP-2026-00042-2.jpg``: the case and the attachment's place in it, nothing more."""
    return f"lampiran-{case_number}-{position}{file_extension(content_type)}"


_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


def download_name(original_name: str, content_type: str) -> str:
    """A safe file name for Content-Disposition: no path, no control or odd characters,
    and the extension of the type the content really is."""
    name = PurePath(original_name.replace("\\", "/")).name
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    name = _UNSAFE.sub("_", name).strip(" ._-")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = stem.strip(" ._-")[:80] or "lampiran"
    return stem + ALLOWED_TYPES.get(content_type, "")


def attachment_response(attachment, *, filename: str) -> FileResponse:
    """Serve a stored attachment as a download: never rendered inline, never cached."""
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=filename,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
