"""fal (fal.ai) as a backend: Seedance 2.0 text-to-video through fal's queue, via `fal-client`.

fal runs many vendors' models as "apps" behind one queue API: `submit` posts to
`queue.fal.run/{app}` (optionally with `?fal_webhook=`), `status`/`result`/`cancel` address
`queue.fal.run/{owner}/{alias}/requests/{id}` — note that drops the app's sub-path, so both
default apps (`bytedance/seedance-2.0/fast/text-to-video` and `bytedance/seedance-2.0/text-to-
video`) share one request namespace and a bare request id is enough to poll either.

Two things in fal-client 1.0.3 need working around, without patching the library:
  * its hosts are module constants read from the environment at import time and always
    `https://` — there is no base-URL option;
  * every call retries 408/409/429/502–504 and network errors up to ten times with backoff,
    and queue polls use a fixed 120 s read timeout — Reverie does its own retries and fallback.
Both are solved by `_FalTransport`, an httpx transport handed to the SDK's own httpx client
(via a small `SyncClient` subclass): it points fal's hosts at `FAL_QUEUE_URL` / `FAL_BASE_URL`,
applies `FAL_TIMEOUT`, and turns the answers the SDK would retry into our errors at once
(they are neither httpx nor fal exceptions, so the SDK's retry loop lets them through).

Webhooks: fal signs each delivery with ED25519 over
`request_id \\n user_id \\n timestamp \\n sha256_hex(body)`, the signature hex-encoded in
`X-Fal-Webhook-Signature`; the public keys are a JWKS at `FAL_JWKS_URL`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

import fal_client
import httpx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fal_client.client import (
    INGRESS_ERROR_CODES,
    QUEUE_URL_FORMAT,
    RETRY_CODES,
    RUN_URL_FORMAT,
    USER_AGENT,
    AppId,
)

from generation.backends.base import (
    Backend,
    BackendError,
    Capabilities,
    ContentRefused,
    GenerationSpec,
    PermanentError,
    PriceRow,
    ProviderJob,
    ProviderStatus,
    RateLimited,
    TransientError,
    WebhookRejected,
    env_float,
)
from generation.backends.http import download, retry_after_seconds

DEFAULT_APP_STANDARD = "bytedance/seedance-2.0/fast/text-to-video"
DEFAULT_APP_PRO = "bytedance/seedance-2.0/text-to-video"
DEFAULT_JWKS_URL = "https://rest.alpha.fal.ai/.well-known/jwks.json"
RESOLUTION = "720p"

# fal's machine-readable error types (model errors' `detail[].type`, request errors'
# `error_type` / `X-Fal-Error-Type`). Content policy blocks the job; infrastructure ones may pass.
CONTENT_POLICY_TYPES = frozenset({"content_policy_violation"})
TRANSIENT_TYPES = frozenset({
    "request_timeout", "startup_timeout", "runner_scheduling_failure",
    "runner_connection_timeout", "runner_disconnected", "runner_connection_refused",
    "runner_connection_error", "runner_incomplete_response", "runner_server_error",
    "internal_error", "internal_server_error", "generation_timeout",
    "downstream_service_error", "downstream_service_unavailable",
})  # fmt: skip
CANCELLED_TYPES = frozenset({"client_cancelled"})

# Answers fal-client would retry internally (its own constants, so this follows the SDK).
_SDK_RETRIED = frozenset(RETRY_CODES) | frozenset(INGRESS_ERROR_CODES)

WEBHOOK_TOLERANCE_SECONDS = 300
JWKS_TTL_SECONDS = 3600.0
JWKS_REFRESH_AFTER_FAILURE_SECONDS = 300.0  # a key rotation shows up within 5 min, no sooner

_T = TypeVar("_T")


# ---------------------------------------------------------------------------------------------
# The SDK's HTTP client, pointed and bounded
# ---------------------------------------------------------------------------------------------


class _FalTransport(httpx.BaseTransport):
    """Routes fal's fixed hosts to configured URLs, enforces our timeout on every request, and
    fails fast where fal-client would retry (see the module docstring for why)."""

    def __init__(self, routes: Mapping[str, httpx.URL], timeout: float) -> None:
        self._routes = dict(routes)  # host fal-client uses → base URL to send it to instead
        self._timeout = httpx.Timeout(timeout).as_dict()
        self._inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        base = self._routes.get(request.url.host)
        if base is not None:
            url = httpx.URL(str(base).rstrip("/") + request.url.raw_path.decode("ascii"))
            headers = request.headers.copy()
            headers["Host"] = url.netloc.decode("ascii")
            request = httpx.Request(
                request.method, url, headers=headers, stream=request.stream,
                extensions=request.extensions,
            )  # fmt: skip
        # The SDK passes a 120 s read timeout on polls; ours wins.
        request.extensions = {**request.extensions, "timeout": self._timeout}
        try:
            response = self._inner.handle_request(request)
        except httpx.TimeoutException as exc:
            raise TransientError("fal did not answer in time.") from exc
        except httpx.TransportError as exc:
            raise TransientError(f"Could not reach fal ({type(exc).__name__}).") from exc
        if response.status_code in _SDK_RETRIED:
            response.read()
            response.close()
            raise _status_error(response)
        return response

    def close(self) -> None:
        self._inner.close()


@dataclass(frozen=True)
class _FalSyncClient(fal_client.SyncClient):
    """fal's SyncClient with our transport under its httpx client (the SDK offers no hook)."""

    transport: httpx.BaseTransport | None = field(default=None, repr=False)

    @cached_property
    def _client(self) -> httpx.Client:
        return httpx.Client(
            transport=self.transport,
            headers={"Authorization": self._auth.header_value, "User-Agent": USER_AGENT},
            timeout=self.default_timeout,
            follow_redirects=True,
        )


# ---------------------------------------------------------------------------------------------
# Error mapping
# ---------------------------------------------------------------------------------------------


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _error_types(body: Any, header_type: str | None = None) -> list[str]:
    """Every machine-readable error type in a fal error answer, most specific first."""
    types: list[str] = []
    if isinstance(body, dict):
        detail = body.get("detail")
        if isinstance(detail, list):
            types += [str(d["type"]) for d in detail if isinstance(d, dict) and d.get("type")]
        if body.get("error_type"):
            types.append(str(body["error_type"]))
    if header_type:
        types.append(header_type)
    return types


def _classify(
    types: list[str], status_code: int | None, *, retryable: bool = False,
    what: str = "The generation",
) -> BackendError:  # fmt: skip
    """One of our error classes for a fal failure, from its error types and HTTP status."""
    code = types[0] if types else ""
    policy = next((t for t in types if t in CONTENT_POLICY_TYPES), None)
    if policy:
        return ContentRefused(
            "fal's content policy refused this prompt.", code=policy, status_code=status_code
        )
    transient = next((t for t in types if t in TRANSIENT_TYPES), None)
    if transient or retryable or (status_code is not None and status_code >= 500):
        return TransientError(
            f"{what} failed on fal's side; it may work if tried again.",
            code=transient or code, status_code=status_code,
        )  # fmt: skip
    if status_code in (401, 403):
        return PermanentError(
            "fal rejected the API key (FAL_KEY).", code=code, status_code=status_code
        )
    if status_code == 404:
        return PermanentError(
            "fal does not know this app or request.", code=code, status_code=status_code
        )
    return PermanentError(f"{what} was rejected by fal.", code=code, status_code=status_code)


def _status_error(response: httpx.Response) -> BackendError:
    """Our error for an HTTP error answer from fal (used by the transport and the SDK path)."""
    status = response.status_code
    if status == 429:
        return RateLimited(
            "fal is rate-limiting requests.",
            retry_after=retry_after_seconds(response.headers.get("retry-after")),
        )
    types = _error_types(_body(response), response.headers.get("x-fal-error-type"))
    retryable = response.headers.get("x-fal-retryable", "").lower() == "true"
    return _classify(types, status, retryable=retryable, what="The request")


def _sdk_error(exc: fal_client.FalClientHTTPError) -> BackendError:
    return _status_error(exc.response)


def _job_failed(exc: BackendError, state: fal_client.Completed) -> bool:
    """Whether an error fetching a completed request's result is the job's own failure (fal
    answers a failed request's result with the model's error) rather than a failed fetch."""
    if isinstance(exc, ContentRefused) or exc.status_code in (400, 422):
        return True
    server_side = exc.status_code is not None and exc.status_code >= 500
    return bool(state.error) and server_side and not isinstance(exc, RateLimited)


# ---------------------------------------------------------------------------------------------
# Webhook keys
# ---------------------------------------------------------------------------------------------


_jwks_lock = threading.Lock()
_jwks_cache: dict[str, tuple[float, list[Ed25519PublicKey]]] = {}


def _b64url(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def _fetch_jwks(url: str, timeout: float) -> list[Ed25519PublicKey]:
    try:
        response = httpx.get(url, timeout=timeout, follow_redirects=True)
        response.raise_for_status()
        keys = response.json().get("keys", [])
    except (httpx.HTTPError, ValueError, AttributeError) as exc:
        raise WebhookRejected(f"fal's webhook keys could not be fetched: {exc}") from exc
    public: list[Ed25519PublicKey] = []
    for key in keys:
        if not isinstance(key, dict) or key.get("kty") != "OKP" or key.get("crv") != "Ed25519":
            continue
        try:
            public.append(Ed25519PublicKey.from_public_bytes(_b64url(str(key["x"]))))
        except (KeyError, ValueError):
            continue
    if not public:
        raise WebhookRejected("fal's JWKS holds no Ed25519 key.")
    return public


def _jwks(
    url: str, timeout: float, *, refresh_older_than: float = JWKS_TTL_SECONDS
) -> tuple[list[Ed25519PublicKey], bool]:
    """fal's public keys, cached per URL; the bool says whether they came from the cache."""
    now = time.monotonic()
    with _jwks_lock:
        cached = _jwks_cache.get(url)
        if cached and now - cached[0] < refresh_older_than:
            return cached[1], True
    keys = _fetch_jwks(url, timeout)
    with _jwks_lock:
        _jwks_cache[url] = (now, keys)
    return keys, False


def _verifies(keys: list[Ed25519PublicKey], signature: bytes, message: bytes) -> bool:
    for key in keys:
        try:
            key.verify(signature, message)
        except InvalidSignature:
            continue
        return True
    return False


# ---------------------------------------------------------------------------------------------
# The backend
# ---------------------------------------------------------------------------------------------


class FalBackend(Backend):
    name = "fal"
    label = "fal"
    # Seedance 2.0 (both apps): 4–15 s, 480p/720p, ratios auto/21:9/16:9/4:3/1:1/3:4/9:16,
    # native audio at the same price; text only (image-to-video is another app).
    capabilities = Capabilities(
        min_seconds=4,
        max_seconds=15,
        aspects={"9:16": "9:16", "1:1": "1:1", "16:9": "16:9"},
        resolutions=(RESOLUTION,),
        audio=True,
        native_remix=False,
        image_reference=False,
        max_prompt_chars=2000,
        webhooks=True,
    )
    default_prices = (
        PriceRow("standard", "720p", Decimal("0.2419"), date(2026, 11, 23),
                 "fal.ai: bytedance/seedance-2.0/fast/text-to-video, 720p with audio"),
        PriceRow("pro", "720p", Decimal("0.3034"), date(2026, 11, 23),
                 "fal.ai: bytedance/seedance-2.0/text-to-video, 720p with audio"),
    )  # fmt: skip
    default_quality = 80
    default_seconds_per_clip_second = 20.0
    required_env = ("FAL_KEY",)

    def __init__(self) -> None:
        self._key = os.environ.get("FAL_KEY", "")
        self._timeout = env_float("FAL_TIMEOUT", 30.0)
        self._apps = {
            "standard": os.environ.get("FAL_APP_STANDARD") or DEFAULT_APP_STANDARD,
            "pro": os.environ.get("FAL_APP_PRO") or DEFAULT_APP_PRO,
        }
        self._jwks_url = os.environ.get("FAL_JWKS_URL") or DEFAULT_JWKS_URL
        base_url = os.environ.get("FAL_BASE_URL", "")
        queue_url = os.environ.get("FAL_QUEUE_URL", "") or base_url  # one server can play both
        routes: dict[str, httpx.URL] = {}
        if queue_url:
            routes[httpx.URL(QUEUE_URL_FORMAT).host] = httpx.URL(queue_url)
        if base_url:
            routes[httpx.URL(RUN_URL_FORMAT).host] = httpx.URL(base_url)
        self._routes = routes
        self._client: _FalSyncClient | None = None

    # -- plumbing ---------------------------------------------------------------------------------
    def _sdk(self) -> _FalSyncClient:
        if not self._key:
            raise PermanentError("fal is not configured (FAL_KEY is unset).")
        if self._client is None:
            self._client = _FalSyncClient(
                key=self._key,
                default_timeout=self._timeout,
                transport=_FalTransport(self._routes, self._timeout),
            )
        return self._client

    def _poll_apps(self) -> list[str]:
        """One configured app per distinct `owner/alias` (what the queue's request URLs use)."""
        seen: dict[tuple[str, str, str | None], str] = {}
        for app in self._apps.values():
            parsed = AppId.from_endpoint_id(app)
            seen.setdefault((parsed.owner, parsed.alias, parsed.namespace), app)
        return list(seen.values())

    def _on_request(self, request_id: str, call: Callable[[str], _T]) -> _T:
        """Run a queue call for `request_id`, trying each configured app's namespace: the id alone
        doesn't say which app it belongs to (a 404 means 'not under this one')."""
        apps = self._poll_apps()
        for index, app in enumerate(apps):
            try:
                return call(app)
            except fal_client.FalClientHTTPError as exc:
                if exc.status_code == 404 and index < len(apps) - 1:
                    continue
                raise _sdk_error(exc) from exc
            except (KeyError, ValueError) as exc:  # a status the SDK can't parse
                raise TransientError("fal gave an unexpected answer.") from exc
        raise PermanentError("No fal app is configured.")  # unreachable: there are always two

    def model_for(self, spec: GenerationSpec) -> str:
        return self._apps.get(spec.tier, self._apps["standard"])

    # -- the interface ----------------------------------------------------------------------------
    def submit(
        self,
        spec: GenerationSpec,
        *,
        webhook_url: str | None = None,
        workdir: Path | None = None,
        on_progress: Callable[[float], None] | None = None,
    ) -> ProviderJob:
        reason = self.capabilities.refusal(spec)
        if reason:
            raise PermanentError(f"{self.label} {reason}.")
        seconds = self.capabilities.provider_seconds(spec.seconds)
        assert seconds is not None  # refusal() checked it
        app = self.model_for(spec)
        arguments: dict[str, Any] = {
            "prompt": spec.prompt,
            "duration": str(seconds),  # Seedance 2.0 takes "auto" or "4".."15" as strings
            "aspect_ratio": self.capabilities.aspects[spec.aspect],
            "resolution": RESOLUTION,
            "generate_audio": spec.audio,
        }
        if spec.seed:
            arguments["seed"] = spec.seed
        try:
            handle = self._sdk().submit(app, arguments, webhook_url=webhook_url)
        except fal_client.FalClientHTTPError as exc:
            raise _sdk_error(exc) from exc
        except (KeyError, TypeError, ValueError) as exc:  # an answer without the queue's fields
            raise TransientError("fal gave an unexpected answer to the submission.") from exc
        return ProviderJob(
            provider_job_id=handle.request_id,
            status=ProviderStatus.QUEUED,
            model=app,
            seconds=seconds,
        )

    def poll(self, provider_job_id: str) -> ProviderJob:
        sdk = self._sdk()
        state = self._on_request(provider_job_id, lambda app: sdk.status(app, provider_job_id))
        if isinstance(state, fal_client.Queued):
            return ProviderJob(
                provider_job_id, ProviderStatus.QUEUED,
                extra={"queue_position": state.position},
            )  # fmt: skip
        if isinstance(state, fal_client.InProgress):
            return ProviderJob(provider_job_id, ProviderStatus.RUNNING)
        if not isinstance(state, fal_client.Completed):
            raise TransientError("fal reported a status Reverie does not know.")
        if state.error_type in CANCELLED_TYPES:
            return ProviderJob(provider_job_id, ProviderStatus.CANCELLED)
        if state.error_type:
            # The status already says why; no need to fetch the (error) result.
            error = _classify([state.error_type], None)
            return ProviderJob(provider_job_id, ProviderStatus.FAILED, error=error)
        try:
            result = self._on_request(provider_job_id, lambda app: sdk.result(app, provider_job_id))
        except BackendError as exc:
            if _job_failed(exc, state):
                return ProviderJob(provider_job_id, ProviderStatus.FAILED, error=exc)
            raise  # the poll itself failed (network, rate limit, credentials): try again later
        video = result.get("video") if isinstance(result, dict) else None
        url = video.get("url") if isinstance(video, dict) else None
        if not url:
            error = PermanentError("fal finished without a video.", code="no_media_generated")
            return ProviderJob(provider_job_id, ProviderStatus.FAILED, error=error)
        return ProviderJob(
            provider_job_id, ProviderStatus.SUCCEEDED, progress=1.0, output_url=str(url),
            extra={"seed": result.get("seed")},
        )  # fmt: skip

    def fetch(self, job: ProviderJob, destination: Path) -> None:
        if not job.output_url:
            raise PermanentError("fal returned no video URL.")
        # fal's CDN URLs are public; the SDK has no download call of its own.
        download(job.output_url, destination, timeout=self._timeout)

    def cancel(self, provider_job_id: str) -> None:
        sdk = self._sdk()
        try:
            self._on_request(provider_job_id, lambda app: sdk.cancel(app, provider_job_id))
        except PermanentError as exc:
            if exc.status_code == 400:  # {"status": "ALREADY_COMPLETED"}: nothing left to stop
                return
            raise

    def verify_webhook(self, headers: Mapping[str, str], body: bytes) -> str:
        lower = {str(k).lower(): str(v) for k, v in headers.items()}
        request_id = lower.get("x-fal-webhook-request-id", "")
        user_id = lower.get("x-fal-webhook-user-id", "")
        timestamp = lower.get("x-fal-webhook-timestamp", "")
        signature_hex = lower.get("x-fal-webhook-signature", "")
        if not (request_id and user_id and timestamp and signature_hex):
            raise WebhookRejected("A fal webhook header is missing.")
        try:
            sent_at = int(timestamp)
            signature = bytes.fromhex(signature_hex)
        except ValueError as exc:
            raise WebhookRejected("A fal webhook header is malformed.") from exc
        if abs(time.time() - sent_at) > WEBHOOK_TOLERANCE_SECONDS:
            raise WebhookRejected("The fal webhook's timestamp is too old or in the future.")
        message = "\n".join(
            [request_id, user_id, timestamp, hashlib.sha256(body).hexdigest()]
        ).encode()
        keys, cached = _jwks(self._jwks_url, self._timeout)
        verified = _verifies(keys, signature, message)
        if not verified and cached:
            # Maybe fal rotated its keys: re-read them, but not more than every few minutes.
            keys, cached = _jwks(
                self._jwks_url, self._timeout,
                refresh_older_than=JWKS_REFRESH_AFTER_FAILURE_SECONDS,
            )  # fmt: skip
            verified = not cached and _verifies(keys, signature, message)
        if not verified:
            raise WebhookRejected("The fal webhook's signature does not verify.")
        return self._checked_request_id(request_id, body)

    @staticmethod
    def _checked_request_id(request_id: str, body: bytes) -> str:
        """The signed header names the job; a body about another job is malformed."""
        try:
            payload = json.loads(body)
        except ValueError as exc:
            raise WebhookRejected("The fal webhook's body is not JSON.") from exc
        if isinstance(payload, dict) and payload.get("request_id") not in (None, request_id):
            raise WebhookRejected("The fal webhook's body is about another request.")
        return request_id
