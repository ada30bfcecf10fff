"""Real, small images for upload tests (SIGAP decodes every image it stores)."""

from __future__ import annotations

import io

from PIL import Image

# A point in Bansir Laut, Pontianak: what a phone's photo would say about where it was taken.
GPS_LATITUDE = (0.0, 2.0, 24.0)  # 0° 2' 24" S
GPS_LONGITUDE = (109.0, 21.0, 0.0)  # 109° 21' 0" E


def image_bytes(fmt: str = "PNG", size=(8, 6), colour=(200, 30, 30), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format=fmt, **save)
    return out.getvalue()


def jpeg_with_gps(*, size=(8, 6), orientation: int = 1) -> bytes:
    """A JPEG as a phone writes it: camera make and model, GPS position, an orientation."""
    exif = Image.Exif()
    exif[0x010F] = "SIGAPPhone"  # Make
    exif[0x0110] = "Model X"  # Model
    exif[0x0112] = orientation  # Orientation (6: turn 90° clockwise to show)
    gps = exif.get_ifd(0x8825)
    gps[1] = "S"
    gps[2] = GPS_LATITUDE
    gps[3] = "E"
    gps[4] = GPS_LONGITUDE
    return image_bytes("JPEG", size=size, exif=exif.tobytes())


PNG = image_bytes("PNG")
JPEG = image_bytes("JPEG")
WEBP = image_bytes("WEBP")
