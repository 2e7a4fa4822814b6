"""One place that validates uploaded images: size, sniffed type, pixel limits and Pillow's
decompression-bomb guard, then a full decode — before anything is stored."""

from __future__ import annotations

import io
import warnings
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

from config.errors import DomainError

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_SIDE = 4096
ALLOWED_IMAGE_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


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
