"""Generation jobs: a prompt on its way to becoming a clip (a private draft until published)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.storage import private_storage
from generation.choices import Aspect


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
    BLOCKED = "blocked", "Blocked"


FINAL_STATUSES = frozenset(
    {JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.BLOCKED}
)


def draft_upload_path(job: GenerationJob, filename: str) -> str:
    return f"drafts/{job.owner_id}/{job.id}/{filename}"


class GenerationJob(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="generation_jobs"
    )
    prompt = models.TextField()
    seconds = models.PositiveSmallIntegerField()
    aspect = models.CharField(max_length=5, choices=Aspect.choices, default=Aspect.PORTRAIT)
    fps = models.PositiveSmallIntegerField(default=30)
    seed = models.BigIntegerField()
    backend = models.CharField(max_length=40, default="local")
    remix_of = models.ForeignKey(
        "feed.Video", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    status = models.CharField(
        max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True
    )
    progress = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True, help_text="Why the job failed, as shown to its owner.")
    attempts = models.PositiveSmallIntegerField(default=0)

    # NULL, not "", for "no key": the unique constraint must ignore keyless jobs.
    idempotency_key = models.CharField(max_length=128, null=True, blank=True)  # noqa: DJ001
    request_fingerprint = models.CharField(max_length=64, blank=True)
    # Set when the prompt policy stopped the job: which category or rights holder.
    blocked_reason_code = models.CharField(max_length=40, blank=True)
    licensed_rights = models.JSONField(
        default=list, blank=True, help_text="Rights holders whose licensed characters it uses."
    )
    tier = models.CharField(max_length=20, default="standard")
    # How the router ranks backends for this job: cheapest | fastest | best | pinned:<backend>.
    routing_policy = models.CharField(max_length=60, default="cheapest")
    # The backends the router chose at submit, in the order they are tried (first = quoted).
    route = models.JSONField(default=list, blank=True)
    # The price quoted (and held) at submit, and what was finally captured (never more).
    quote_credits = models.PositiveIntegerField(default=0)
    charged_credits = models.PositiveIntegerField(null=True, blank=True)
    hold_free = models.PositiveIntegerField(default=0)
    hold_paid = models.PositiveIntegerField(default=0)

    video_file = models.FileField(
        storage=private_storage, upload_to=draft_upload_path, max_length=255, blank=True
    )
    poster_file = models.FileField(
        storage=private_storage, upload_to=draft_upload_path, max_length=255, blank=True
    )
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration = models.FloatField(null=True, blank=True)
    file_size = models.PositiveIntegerField(null=True, blank=True)
    render_seconds = models.FloatField(null=True, blank=True)
    scene = models.JSONField(default=dict, blank=True)

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="generation_job_owner_idempotency_key_unique",
            ),
        ]
        indexes = [models.Index(fields=["owner", "-created_at"], name="generation_owner_recent")]

    def __str__(self) -> str:
        return f"{self.id} ({self.status}) {self.prompt[:40]!r}"

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES


class PolicyCategory(models.Model):
    """A kind of content the policy refuses (sexual content, real people, …); switchable."""

    slug = models.SlugField(primary_key=True, max_length=20)
    name = models.CharField(_("name"), max_length=80)
    reason = models.CharField(
        _("reason"), max_length=200, help_text=_("Shown to the user when a rule has no reason.")
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=100, help_text=_("Lower is checked first (its reason wins).")
    )
    waived_by_own_cameo = models.BooleanField(
        _("waived by the person's own cameo"),
        default=False,
        help_text=_(
            "Real people: a rule of this category does not apply when the prompt uses a verified "
            "cameo whose name is one of the rule's terms."
        ),
    )
    check_comments = models.BooleanField(
        _("also in comments"),
        default=True,
        help_text=_("Also refuse comments that break it (prompts and captions always are)."),
    )
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("policy category")
        verbose_name_plural = _("policy categories")

    def __str__(self) -> str:
        return self.name


class PolicyTerm(models.Model):
    """A policy rule: terms (optionally near other terms), exceptions, and the reason shown.

    Shipped rules carry a `key`; the default-policy migration only creates missing keys, so a
    moderator's edits survive upgrades."""

    class Kind(models.TextChoices):
        PHRASE = "phrase", _("Any of the terms")
        NEAR = "near", _("A term near a term of the second list")
        REGEX = "regex", _("Regular expression (matched against the normalised text)")

    key = models.CharField(
        max_length=80, unique=True, null=True, blank=True, editable=False,
        help_text=_("Set on rules of the shipped default policy."),
    )  # fmt: skip
    category = models.ForeignKey(
        PolicyCategory, on_delete=models.PROTECT, db_column="category", related_name="terms"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PHRASE)
    pattern = models.TextField(
        _("terms"),
        help_text=_(
            "One term per line: a word or phrase (plurals, case, accents, spacing, look-alike "
            "letters and leetspeak match), a word ending in * for any ending, or re:<regex>."
        ),
    )
    near = models.TextField(
        _("near"), blank=True, help_text=_("For “near” rules: the second list, one per line.")
    )
    window = models.PositiveSmallIntegerField(
        _("window"), default=6, help_text=_("How many words apart “near” terms may be.")
    )
    unless = models.TextField(
        _("exceptions"),
        blank=True,
        help_text=_("Terms that cancel a match within the window, one per line."),
    )
    reason = models.CharField(
        _("reason"), max_length=200, blank=True,
        help_text=_("Shown to the user; the category's reason if empty."),
    )  # fmt: skip
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["category", "key", "pattern"]
        verbose_name = _("policy rule")
        verbose_name_plural = _("policy rules")

    def __str__(self) -> str:
        first = self.pattern.strip().splitlines()[0] if self.pattern.strip() else ""
        return f"{self.category_id}: {self.key or first[:40]}"


class RightsHolder(models.Model):
    """A registered owner of names or characters: they block generation or license it."""

    class Policy(models.TextChoices):
        BLOCK = "block", _("Block generation")
        LICENSE = "license", _("Allow, with a revenue share")

    key = models.CharField(max_length=80, unique=True, null=True, blank=True, editable=False)
    name = models.CharField(max_length=120, help_text=_("The character, brand or person."))
    holder = models.CharField(max_length=120, help_text=_("Who holds the rights."))
    aliases = models.TextField(
        blank=True, help_text=_("Other names, one per line (same syntax as policy terms).")
    )
    unless = models.TextField(
        _("exceptions"),
        blank=True,
        help_text=_("Terms that mean the name is not this character, one per line."),
    )
    policy = models.CharField(max_length=10, choices=Policy.choices, default=Policy.BLOCK)
    revenue_share_percent = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.holder}, {self.get_policy_display()})"

    def names(self) -> list[str]:
        return [self.name, *[a.strip() for a in self.aliases.splitlines() if a.strip()]]


class BackendConfig(models.Model):
    """The operator's switch and circuit-breaker state for one registered backend."""

    name = models.CharField(max_length=40, unique=True)
    enabled = models.BooleanField(default=True)
    quality = models.PositiveSmallIntegerField(
        default=50, help_text="0–100; the “best” policy prefers higher."
    )
    # The circuit opens after GENERATION_CIRCUIT_FAILURES consecutive failures and lets a trial
    # through after GENERATION_CIRCUIT_COOLDOWN; a success closes it.
    consecutive_failures = models.PositiveIntegerField(default=0)
    circuit_opened_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "generation backend"

    def __str__(self) -> str:
        return self.name


class BackendPrice(models.Model):
    """What a backend costs per generated second, for one tier and resolution, from a date on.

    The newest row not after today is the one in force, so a price change is added, not edited,
    and the table keeps the history of what was charged when."""

    backend = models.ForeignKey(BackendConfig, on_delete=models.CASCADE, related_name="prices")
    tier = models.CharField(max_length=20, default="standard")
    resolution = models.CharField(max_length=10, default="720p")
    usd_per_second = models.DecimalField(max_digits=8, decimal_places=4)
    as_of = models.DateField(help_text="The day this price was read from the provider.")
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["backend__name", "tier", "resolution", "-as_of"]
        constraints = [
            models.UniqueConstraint(
                fields=["backend", "tier", "resolution", "as_of"], name="backend_price_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(usd_per_second__gte=0), name="backend_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.backend.name} {self.tier} {self.resolution}: ${self.usd_per_second}/s"


class AttemptOutcome(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    RATE_LIMITED = "rate_limited", "Rate-limited"
    TIMED_OUT = "timed_out", "Timed out"
    REFUSED = "refused", "Refused by the provider's content policy"
    CANCELLED = "cancelled", "Cancelled"


class GenerationAttempt(models.Model):
    """One try of one job on one backend: the router's record of what happened where."""

    job = models.ForeignKey(
        GenerationJob, on_delete=models.CASCADE, related_name="backend_attempts"
    )
    number = models.PositiveSmallIntegerField()  # 1, 2, … within the job
    round = models.PositiveSmallIntegerField(default=1)  # the job's retry round it belongs to
    backend = models.CharField(max_length=40)
    model = models.CharField(max_length=120, blank=True)
    provider_job_id = models.CharField(max_length=200, blank=True)
    provider_seconds = models.PositiveSmallIntegerField(null=True, blank=True)
    outcome = models.CharField(
        max_length=12, choices=AttemptOutcome.choices, default=AttemptOutcome.RUNNING
    )
    error_code = models.CharField(max_length=80, blank=True)
    error = models.TextField(blank=True)
    cost_usd = models.DecimalField(max_digits=10, decimal_places=4, null=True, blank=True)
    # Scheduled polls carry the count they expect, so a duplicated or stale poll message finds
    # it changed and stops instead of starting a second polling chain.
    polls = models.PositiveIntegerField(default=0)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    # Set once the provider call was made / the result is being collected: guards against a
    # redelivered task submitting twice or two polls (timer and webhook) finishing twice.
    submitted_at = models.DateTimeField(null=True, blank=True)
    collecting = models.BooleanField(default=False)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["job", "number"]
        constraints = [
            models.UniqueConstraint(fields=["job", "number"], name="generation_attempt_number")
        ]
        indexes = [
            models.Index(fields=["backend", "-finished_at"], name="attempt_backend_recent"),
            models.Index(fields=["backend", "provider_job_id"], name="attempt_provider_job"),
        ]

    def __str__(self) -> str:
        return f"{self.job_id} #{self.number} {self.backend} ({self.outcome})"

    @property
    def latency_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()
