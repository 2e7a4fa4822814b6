"""Create the S3 bucket if it is missing (the container's `migrate` step); local folders too."""

from __future__ import annotations

import json
import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Make sure media storage exists: the S3 bucket (S3_BUCKET) or the local media folders."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.USE_S3:
            for folder in (settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT):
                folder.mkdir(parents=True, exist_ok=True)
            self.stdout.write("local media folders ready")
            return
        from botocore.exceptions import BotoCoreError, ClientError

        from config.storage import public_storage

        client = public_storage().connection.meta.client  # type: ignore[attr-defined]
        bucket = settings.S3_BUCKET
        try:
            client.head_bucket(Bucket=bucket)
            self.stdout.write(f"bucket {bucket} exists")
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in {"404", "NoSuchBucket"}:
                raise CommandError(f"bucket {bucket}: {exc}") from exc
            region = client.meta.region_name
            extra = (
                {"CreateBucketConfiguration": {"LocationConstraint": region}}
                if region and region != "us-east-1"
                else {}
            )
            client.create_bucket(Bucket=bucket, **extra)
            self.stdout.write(f"created bucket {bucket}")
        except BotoCoreError as exc:
            raise CommandError(f"S3 is unreachable: {exc}") from exc
        if os.environ.get("S3_PUBLIC_DOMAIN"):
            self._publish_media_prefix(client, bucket)

    def _publish_media_prefix(self, client: Any, bucket: str) -> None:
        """Published clips are read without a signature (plain, cacheable URLs under the public
        domain); drafts under private/ stay signed-only."""
        from botocore.exceptions import ClientError

        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "PublicClips",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": ["s3:GetObject"],
                    "Resource": [f"arn:aws:s3:::{bucket}/media/*"],
                }
            ],
        }
        try:
            client.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
        except ClientError as exc:
            self.stderr.write(
                f"could not make {bucket}/media/ publicly readable ({exc}); grant anonymous "
                "GetObject on that prefix in your S3 server, or leave S3_PUBLIC_DOMAIN unset "
                "for signed URLs"
            )
            return
        self.stdout.write(f"{bucket}/media/* is publicly readable (published clips)")
