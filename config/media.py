"""Serving stored files with HTTP Range support (browsers seek and preload video by range).

Behind nginx (PRIVATE_MEDIA_ACCEL_PREFIX set), a private file that passed Django's authorization
check is answered with an empty response carrying `X-Accel-Redirect`: nginx then sends the bytes
itself from an `internal` location (ranges, sendfile), so no Python sits in the byte path.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.files.storage import Storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.utils._os import safe_join

RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 256 * 1024


def _read_range(storage: Storage, name: str, start: int, length: int) -> Iterator[bytes]:
    with storage.open(name, "rb") as handle:
        handle.seek(start)
        remaining = length
        while remaining > 0:
            chunk = handle.read(min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk


def _path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _is_local(storage: Storage, name: str) -> bool:
    try:
        storage.path(name)
    except NotImplementedError:
        return False
    return True


def stored_file_response(
    request: HttpRequest, storage: Storage, name: str, *, private: bool
) -> HttpResponse:
    """Answer a GET for a stored file: whole, a byte range, or a redirect to a signed URL."""
    if not name:
        raise Http404("No such file.")
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    cache = "private, max-age=300" if private else "public, max-age=86400"
    local = _is_local(storage, name)
    accel_prefix = settings.PRIVATE_MEDIA_ACCEL_PREFIX if private else ""
    if accel_prefix:
        # Local: nginx aliases the prefix to PRIVATE_MEDIA_ROOT. S3: nginx proxies the prefix to
        # the S3 server, so the signed URL's path and query ride along (it never leaves nginx).
        target = quote(name) if local else _path_and_query(storage.url(name))
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = accel_prefix.rstrip("/") + "/" + target.lstrip("/")
        response["Cache-Control"] = cache
        response["X-Content-Type-Options"] = "nosniff"
        return response
    if not local:
        # Remote storage (S3): hand the browser a short-lived signed URL instead of proxying.
        return redirect(storage.url(name))
    try:
        size = storage.size(name)
    except (FileNotFoundError, OSError) as exc:
        raise Http404("No such file.") from exc
    match = RANGE_RE.match(request.headers.get("Range", "").strip())
    if match and (match.group(1) or match.group(2)):
        first, last = match.groups()
        if first:
            start = int(first)
            end = min(int(last), size - 1) if last else size - 1
        else:  # "bytes=-N": the last N bytes
            start = max(size - int(last), 0)
            end = size - 1
        if start >= size or start > end:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        length = end - start + 1
        response = StreamingHttpResponse(
            _read_range(storage, name, start, length), status=206, content_type=content_type
        )
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(length)
    else:
        response = FileResponse(storage.open(name, "rb"), content_type=content_type)
        response["Content-Length"] = str(size)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = cache
    response["X-Content-Type-Options"] = "nosniff"
    return response


def media_viewer(request: HttpRequest) -> Any:
    """Who asks for a private file: the session's user, or the owner of an API token sent as
    `Authorization: Token …` (apps and scripts fetch their drafts' `video_url` that way). A bad
    token is just anonymous here; the caller's access check answers 404 either way."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    from django.contrib.auth.models import AnonymousUser
    from rest_framework.exceptions import AuthenticationFailed

    from accounts.authentication import HashedTokenAuthentication

    try:
        found = HashedTokenAuthentication().authenticate(request)  # type: ignore[arg-type]
    except AuthenticationFailed:
        found = None
    return found[0] if found else AnonymousUser()


def serve_public_media(request: HttpRequest, path: str) -> HttpResponse:
    """Local public media (published clips), for setups without a proxy or CDN in front."""
    from config.storage import public_storage

    storage = public_storage()
    try:
        safe_join(str(storage.location), path)  # type: ignore[attr-defined]
    except Exception as exc:
        raise Http404("No such file.") from exc
    return stored_file_response(request, storage, path, private=False)
