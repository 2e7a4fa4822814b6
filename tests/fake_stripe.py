"""A local stand-in for the Stripe API, so tests drive the real `stripe` SDK over real HTTP.

`FakeStripe` serves the slice of Stripe's wire format that Reverie uses, on 127.0.0.1 and a
free port: form-encoded bodies in Stripe's bracket notation, `Authorization: Bearer sk_…`,
`Idempotency-Key` replays, Stripe-shaped error JSON, and `checkout.session` objects.

    with FakeStripe() as fake:
        settings.STRIPE_API_BASE = fake.url
        settings.STRIPE_SECRET_KEY = fake.api_key
        ...
        fake.requests[-1].params["line_items"][0]["quantity"]  # "1" (form values are strings)

`make_event` and `sign_webhook` build webhook deliveries exactly as Stripe sends them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

DEFAULT_API_KEY = "sk_test_fake_reverie"
CHECKOUT_URL = "https://checkout.stripe.com/c/pay/"
SESSION_PATH = re.compile(r"^/v1/checkout/sessions/(?P<id>[^/]+)$")
# Enough of Stripe's presentment currencies for tests; anything else is refused like Stripe does.
CURRENCIES = frozenset({"usd", "eur", "gbp", "cad", "aud", "chf", "jpy", "sek", "nok", "dkk"})


def _random_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


def sign_webhook(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` header Stripe would send with `payload`, signed with `secret`."""
    ts = int(time.time()) if timestamp is None else timestamp
    signed = f"{ts}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={ts},v1={digest}"


def make_event(
    event_type: str, obj: dict[str, Any], *, event_id: str | None = None
) -> dict[str, Any]:
    """A Stripe `event` (as delivered to webhooks) wrapping `obj` as `data.object`."""
    return {
        "id": event_id or _random_id("evt_test"),
        "object": "event",
        "api_version": "2025-01-01",
        "created": int(time.time()),
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }


def decode_form(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Turn Stripe's bracket notation (`a[0][b]=1`, `a[]=1`) into nested dicts and lists."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        head = key.split("[", 1)[0]
        path = [head, *re.findall(r"\[([^\]]*)\]", key[len(head) :])]
        node: dict[str, Any] = root
        for depth, part in enumerate(path):
            if part == "":  # `a[]`: append at the next free index
                part = str(len(node))
            if depth == len(path) - 1:
                node[part] = value
            else:
                node = node.setdefault(part, {})
    return _lists_from_indexes(root)


def _lists_from_indexes(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    converted = {k: _lists_from_indexes(v) for k, v in node.items()}
    if converted and all(k.isdigit() for k in converted):
        return [converted[k] for k in sorted(converted, key=int)]
    return converted


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    body: str
    form: list[tuple[str, str]]  # the body's raw key/value pairs, in bracket notation
    params: dict[str, Any]  # the same, decoded into nested dicts/lists of strings
    status: int = 0  # what the fake answered

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class StripeError(Exception):
    """An error answer, raised inside the fake and rendered as Stripe's error JSON."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        type_: str = "invalid_request_error",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"type": type_, "message": message}
        if param is not None:
            self.body["param"] = param
        if code is not None:
            self.body["code"] = code
            self.body["doc_url"] = f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}"


def _missing(param: str) -> StripeError:
    return StripeError(
        400, f"Missing required param: {param}.", param=param, code="parameter_missing"
    )


def _integer(params: dict[str, Any], name: str, label: str) -> int:
    value = params.get(name)
    if value is None:
        raise _missing(f"{label}[{name}]")
    if not (isinstance(value, str) and value.isascii() and value.isdigit()):
        raise StripeError(400, f"Invalid integer: {value}", param=f"{label}[{name}]")
    return int(value)


@dataclass(eq=False)  # identity, not contents: it owns a server and a lock
class FakeStripe:
    """The fake server; start/stop it, or use it as a context manager."""

    api_key: str = DEFAULT_API_KEY
    requests: list[RecordedRequest] = field(default_factory=list)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    _idempotent: dict[tuple[str, str], tuple[list[tuple[str, str]], dict[str, Any]]] = field(
        default_factory=dict
    )
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeStripe is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeStripe:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake._handle(self, "GET")

            def do_POST(self) -> None:
                fake._handle(self, "POST")

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep pytest output clean

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        # A short poll interval keeps stop() (which waits for the loop to notice) fast.
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-stripe",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeStripe:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- helpers for tests -------------------------------------------------------------------

    def requests_to(self, method: str, path: str) -> Iterator[RecordedRequest]:
        return (r for r in list(self.requests) if r.method == method and r.path == path)

    def complete_session(self, session_id: str, *, paid: bool = True) -> dict[str, Any]:
        """Mark a session as completed (as if the buyer paid) and return the
        `checkout.session.completed` event Stripe would then send."""
        with self._lock:
            session = self.sessions[session_id]
            session["status"] = "complete"
            session["payment_status"] = "paid" if paid else "unpaid"
            session["payment_intent"] = _random_id("pi_test")
            snapshot = json.loads(json.dumps(session))
        return make_event("checkout.session.completed", snapshot)

    # -- the server side ---------------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length).decode("utf-8") if length else ""
        url = urlsplit(handler.path)
        form = parse_qsl(body if method == "POST" else url.query, keep_blank_values=True)
        record = RecordedRequest(
            method=method,
            path=url.path,
            headers={k.lower(): v for k, v in handler.headers.items()},
            body=body,
            form=form,
            params=decode_form(form),
        )
        with self._lock:
            self.requests.append(record)
        headers = {"Request-Id": _random_id("req")}
        try:
            self._authenticate(record)
            status, payload, replayed = self._route(record)
            if replayed:
                headers["Idempotent-Replayed"] = "true"
        except StripeError as exc:
            status, payload = exc.status, {"error": exc.body}
        record.status = status
        data = json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)

    def _authenticate(self, record: RecordedRequest) -> None:
        auth = record.header("Authorization") or ""
        if not auth.startswith("Bearer ") or not auth.removeprefix("Bearer ").strip():
            raise StripeError(
                401,
                "You did not provide an API key. You need to provide your API key in the "
                "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_"
                "SECRET_KEY').",
            )
        key = auth.removeprefix("Bearer ").strip()
        if key != self.api_key:
            raise StripeError(401, f"Invalid API Key provided: {key[:8]}****{key[-4:]}")

    def _route(self, record: RecordedRequest) -> tuple[int, dict[str, Any], bool]:
        if record.method == "POST" and record.path == "/v1/checkout/sessions":
            return self._create_idempotently(record)
        match = SESSION_PATH.match(record.path)
        if record.method == "GET" and match:
            with self._lock:
                session = self.sessions.get(match["id"])
                if session is None:
                    raise StripeError(
                        404,
                        f"No such checkout.session: '{match['id']}'",
                        param="session",
                        code="resource_missing",
                    )
                return 200, json.loads(json.dumps(session)), False
        raise StripeError(
            404,
            f"Unrecognized request URL ({record.method}: {record.path}). Please see "
            "https://stripe.com/docs or we can help at https://support.stripe.com/.",
        )

    def _create_idempotently(self, record: RecordedRequest) -> tuple[int, dict[str, Any], bool]:
        key = record.header("Idempotency-Key")
        scope = (self.api_key, key or "")
        fingerprint = sorted(record.form)
        with self._lock:  # held throughout, so concurrent retries can't both create
            if key and scope in self._idempotent:
                first_form, first_answer = self._idempotent[scope]
                if first_form != fingerprint:
                    raise StripeError(
                        400,
                        "Keys for idempotent requests can only be used with the same parameters "
                        f"they were first used with. Try using a key other than '{key}' if you "
                        "meant to execute a different request.",
                        type_="idempotency_error",
                    )
                return 200, first_answer, True
            session = self._new_session(record.params)
            self.sessions[session["id"]] = session
            answer = json.loads(json.dumps(session))
            # Like Stripe, only requests that got as far as executing are saved under the key.
            if key:
                self._idempotent[scope] = (fingerprint, answer)
            return 200, answer, False

    def _new_session(self, params: dict[str, Any]) -> dict[str, Any]:
        mode = params.get("mode")
        if not mode:
            raise _missing("mode")
        if mode not in {"payment", "setup", "subscription"}:
            raise StripeError(
                400, "Invalid mode: must be one of payment, setup, or subscription", param="mode"
            )
        if mode != "payment":
            raise StripeError(400, f"FakeStripe only implements mode=payment, not {mode}")
        if not params.get("success_url"):
            raise _missing("success_url")
        items = params.get("line_items")
        if not items:
            raise _missing("line_items")
        if not isinstance(items, list):
            raise StripeError(400, "Invalid array", param="line_items")
        total, currencies = 0, set()
        for index, item in enumerate(items):
            label = f"line_items[{index}]"
            if not isinstance(item, dict):
                raise StripeError(400, "Invalid object", param=label)
            quantity = _integer(item, "quantity", label)
            price_data = item.get("price_data")
            if not isinstance(price_data, dict):
                raise StripeError(
                    400, "You must specify either `price` or `price_data`.", param=label
                )
            label += "[price_data]"
            currency = price_data.get("currency")
            if not currency:
                raise _missing(f"{label}[currency]")
            if currency.lower() not in CURRENCIES:
                raise StripeError(400, f"Invalid currency: {currency}.", param=f"{label}[currency]")
            product = price_data.get("product_data")
            if not isinstance(product, dict) or not product.get("name"):
                raise _missing(f"{label}[product_data][name]")
            total += quantity * _integer(price_data, "unit_amount", label)
            currencies.add(currency.lower())
        if len(currencies) > 1:
            raise StripeError(400, "All line items must use the same currency.", param="line_items")
        now = int(time.time())
        session_id = _random_id("cs_test")
        return {
            "id": session_id,
            "object": "checkout.session",
            "amount_subtotal": total,
            "amount_total": total,
            "cancel_url": params.get("cancel_url"),
            "client_reference_id": params.get("client_reference_id"),
            "created": now,
            "currency": currencies.pop(),
            "customer": None,
            "customer_email": params.get("customer_email"),
            "expires_at": now + 24 * 3600,
            "livemode": False,
            "metadata": params.get("metadata") or {},
            "mode": mode,
            "payment_intent": None,
            "payment_method_types": ["card"],
            "payment_status": "unpaid",
            "status": "open",
            "success_url": params["success_url"],
            "ui_mode": "hosted",
            "url": f"{CHECKOUT_URL}{session_id}",
        }
