"""Case attachments: what may be uploaded, and how a stored file goes back out.

The type of an upload is decided by its CONTENT (its first bytes), never by the
name or the browser's claimed content type: a PNG renamed ``.pdf`` is stored
and served as the PNG it is, and an HTML page or a program renamed ``.jpg`` is
refused. Files are stored under MEDIA_ROOT (outside any static or public path)
under a random name and leave only through the download view, which applies
the access policy.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePath

from django.conf import settings
from django.http import FileResponse

# Content type -> the file extension it is served with.
ALLOWED_TYPES: dict[str, str] = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
}
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
SNIFF_BYTES = 16


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


def attachment_response(attachment) -> FileResponse:
    """Serve a stored attachment as a download: never rendered inline, never cached."""
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=download_name(attachment.original_name, attachment.content_type),
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
