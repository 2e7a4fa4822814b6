"""One place that validates uploaded images: size, sniffed type, pixel limits and Pillow's
decompression-bomb guard, then a full decode — before anything is stored."""

from __future__ import annotations

import io
import warnings
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from config.errors import DomainError

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_SIDE = 4096
ALLOWED_IMAGE_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}

# Uploaded videos: a frame larger than this on either side is refused from the container's
# header, before any frame is decoded; a header that lies is caught by the decoder itself, which
# refuses frames over MAX_VIDEO_PIXELS instead of allocating them (a 16000×16000 MJPEG frame
# cost a web process 259 MB before).
MAX_VIDEO_SIDE = 4096
MAX_VIDEO_PIXELS = MAX_VIDEO_SIDE * MAX_VIDEO_SIDE
VIDEO_DECODER_OPTIONS = {"max_pixels": str(MAX_VIDEO_PIXELS)}


def video_size_refusal(*, width: int, height: int) -> str | None:
    """Why frames of this size are refused (None: they are fine)."""
    if 0 < width <= MAX_VIDEO_SIDE and 0 < height <= MAX_VIDEO_SIDE:
        return None
    return _("The video is %(width)s × %(height)s pixels; the most we take is %(side)s.") % {
        "width": width,
        "height": height,
        "side": MAX_VIDEO_SIDE,
    }


def _reject(field: str, message: str) -> DomainError:
    return DomainError(message, fields={field: [message]})


def validated_image(upload: Any, *, field: str = "image") -> Image.Image:
    """Return the decoded image, or raise a DomainError (a 400) that names the problem."""
    size = getattr(upload, "size", None)
    if size is None or size > MAX_IMAGE_BYTES:
        raise _reject(field, f"An image is at most {MAX_IMAGE_BYTES // (1024 * 1024)} MB.")
    data = upload.read(MAX_IMAGE_BYTES + 1)
    if len(data) > MAX_IMAGE_BYTES:
        raise _reject(field, f"An image is at most {MAX_IMAGE_BYTES // (1024 * 1024)} MB.")
    try:
        with warnings.catch_warnings():
            # Pillow only warns between 1× and 2× MAX_IMAGE_PIXELS; treat that as the bomb it is.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))  # reads the header only: size before pixels
            if image.format not in ALLOWED_IMAGE_FORMATS:
                raise _reject(field, "Upload a JPEG, PNG, WebP or GIF image.")
            width, height = image.size
            if width > MAX_IMAGE_SIDE or height > MAX_IMAGE_SIDE:
                raise _reject(
                    field, f"An image is at most {MAX_IMAGE_SIDE}×{MAX_IMAGE_SIDE} pixels."
                )
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _reject(field, "That image is too large to decode safely.") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise _reject(field, "That file is not an image we can read.") from exc
    return ImageOps.exif_transpose(image)


def square_jpeg_variants(image: Image.Image, *, sizes: tuple[int, ...]) -> dict[int, bytes]:
    """Centre-cropped square JPEGs, re-encoded (which drops metadata and any trailing payload)."""
    rgb = image.convert("RGB")
    side = min(rgb.size)
    left, top = (rgb.width - side) // 2, (rgb.height - side) // 2
    square = rgb.crop((left, top, left + side, top + side))
    out: dict[int, bytes] = {}
    for target in sizes:
        buffer = io.BytesIO()
        square.resize((target, target), Image.Resampling.LANCZOS).save(
            buffer, "JPEG", quality=88, optimize=True
        )
        out[target] = buffer.getvalue()
    return out


# --- Request bodies -------------------------------------------------------------------------

# Room for the multipart boundaries and headers around the file itself.
MULTIPART_OVERHEAD = 64 * 1024


def upload_limit_for(request: Any) -> int:
    """The largest body this URL accepts, in bytes: each upload door's own file limit, and
    Django's form-data limit everywhere else."""
    from django.conf import settings

    match = getattr(request, "resolver_match", None)
    name = match.view_name if match is not None else ""
    limits = {
        "generation:check": settings.PROVENANCE_CHECK_MAX_BYTES,
        "api-provenance-check": settings.PROVENANCE_CHECK_MAX_BYTES,
        "api-verification": settings.CAMEO_MAX_UPLOAD_BYTES,
        "accounts:settings": MAX_IMAGE_BYTES,
        "api-me-avatar": MAX_IMAGE_BYTES,
    }
    limit = limits.get(name, settings.DATA_UPLOAD_MAX_MEMORY_SIZE or MAX_IMAGE_BYTES)
    return limit + MULTIPART_OVERHEAD


class BodyLimitUploadHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: refuses a multipart body over its URL's limit from the
    Content-Length alone, before a byte of it is read or written to a temporary file (a 413),
    and stops a body that turns out longer than it said."""

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],  # noqa: N803 (Django's name)
        content_length: int,
        boundary: bytes,
        encoding: str | None = None,
    ) -> None:
        self.limit = upload_limit_for(self.request)
        self.received = 0
        if content_length > self.limit:
            raise RequestDataTooBig(_("The request body is too large."))

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            raise RequestDataTooBig(_("The request body is too large."))
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
