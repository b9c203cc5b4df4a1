"""The object-store backend of portal/core/storage.py: any S3-compatible store (MinIO, Garage,
Ceph, a cloud's), through aiobotocore.

Why aiobotocore: it is botocore (the S3 protocol as AWS and every compatible store test against:
signing, retries, multipart, ranges, presigned URLs) on the asyncio event loop the portal already
runs, so a download streams from the store to the browser without a thread per request; the aio-libs
project releases it in step with botocore. Reads pass the client's Range through (a resumed download
fetches only its part); writes of more than PART_SIZE go up as a multipart upload read from the local
file part by part, so neither direction holds a large file in memory. Downloads are streamed through
the portal rather than redirected to a presigned URL: access is checked and logged on every request
(ranges included), the address stays the portal's own (CSP, one host for phones on slow links to
reach and resume), and no signed link to personal data can be passed on.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import anyio
import anyio.to_thread
from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.exceptions import BotoCoreError, ClientError

from portal.core.storage import CHUNK, Storage, StorageError, StoredObject, check_key

log = logging.getLogger("portal.storage")
PART_SIZE = 8 * 1024 * 1024  # S3's parts are at least 5 MiB (but the last)
_MISSING = {"404", "NoSuchKey", "NotFound"}


def parse_url(url: str) -> tuple[str, str]:
    """(bucket, key prefix) of `s3://bucket/prefix`; ValueError for anything else."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"PORTAL_STORAGE_URL must look like s3://bucket or s3://bucket/prefix, got {url!r}")
    prefix = parts.path.strip("/")
    if prefix:
        check_key(prefix)
    return parts.netloc, prefix


class S3Storage(Storage):
    """Objects in one bucket, under an optional key prefix."""

    kind = "s3"
    shared = True

    def __init__(self, bucket: str, prefix: str = "", *, endpoint_url: str = "", region: str = "",
                 access_key_id: str = "", secret_access_key: str = "") -> None:
        self.bucket, self.prefix = bucket, prefix
        self._options: dict[str, Any] = {
            "region_name": region or "us-east-1",
            # Path-style addressing (host/bucket/key) is what self-hosted stores serve without wildcard DNS.
            "config": AioConfig(s3={"addressing_style": "path" if endpoint_url else "auto"},
                                retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=10, read_timeout=60),
        }
        if endpoint_url:
            self._options["endpoint_url"] = endpoint_url
        if access_key_id:  # otherwise botocore's own chain: AWS_* variables, profile, instance role
            self._options.update(aws_access_key_id=access_key_id, aws_secret_access_key=secret_access_key)
        self._stack: contextlib.AsyncExitStack | None = None
        self._client: Any = None
        self._lock: anyio.Lock | None = None

    @classmethod
    def from_settings(cls, settings: Any) -> S3Storage:
        """The store PORTAL_STORAGE_URL and the PORTAL_S3_* settings name."""
        bucket, prefix = parse_url(settings.storage_url)
        return cls(bucket, prefix, endpoint_url=settings.s3_endpoint_url, region=settings.s3_region,
                   access_key_id=settings.s3_access_key_id, secret_access_key=settings.s3_secret_access_key)

    def describe(self) -> str:
        """Bucket and prefix (and the endpoint), never the credentials."""
        where = f"s3://{self.bucket}/{self.prefix}".rstrip("/")
        endpoint = self._options.get("endpoint_url")
        return f"the object store {where}" + (f" at {endpoint}" if endpoint else "")

    def _key(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    async def client(self) -> Any:
        """The client, opened on first use (its connections belong to the running event loop)."""
        if self._client is None:
            if self._lock is None:
                self._lock = anyio.Lock()
            async with self._lock:
                if self._client is None:
                    stack = contextlib.AsyncExitStack()
                    self._client = await stack.enter_async_context(get_session().create_client("s3", **self._options))
                    self._stack = stack
        return self._client

    async def close(self) -> None:
        """Close the client's connections."""
        stack, self._stack, self._client, self._lock = self._stack, None, None, None
        if stack is not None:
            await stack.aclose()

    async def ensure_bucket(self) -> bool:
        """Create the bucket if it does not exist; True when it was created."""
        client = await self.client()
        try:
            await client.head_bucket(Bucket=self.bucket)
            return False
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in _MISSING:
                raise StorageError(f"The object store refused access to bucket {self.bucket}: {exc}") from None
        await client.create_bucket(Bucket=self.bucket)
        return True

    async def put_file(self, key: str, source: Path) -> None:
        """Upload the file (multipart above PART_SIZE, part by part from disk), then delete it."""
        client, name = await self.client(), self._key(key)
        size = (await anyio.Path(source).stat()).st_size
        try:
            if size <= PART_SIZE:
                body = await anyio.to_thread.run_sync(source.read_bytes)
                await client.put_object(Bucket=self.bucket, Key=name, Body=body)
            else:
                await self._multipart(client, name, source)
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(f"Uploading {key} to the object store failed: {exc}") from exc
        await anyio.Path(source).unlink(missing_ok=True)

    async def _multipart(self, client: Any, name: str, source: Path) -> None:
        upload = await client.create_multipart_upload(Bucket=self.bucket, Key=name)
        upload_id, parts = upload["UploadId"], []
        try:
            handle = await anyio.to_thread.run_sync(source.open, "rb")
            try:
                number = 1
                while data := await anyio.to_thread.run_sync(handle.read, PART_SIZE):
                    part = await client.upload_part(Bucket=self.bucket, Key=name, UploadId=upload_id,
                                                    PartNumber=number, Body=data)
                    parts.append({"PartNumber": number, "ETag": part["ETag"]})
                    number += 1
            finally:
                handle.close()
            await client.complete_multipart_upload(Bucket=self.bucket, Key=name, UploadId=upload_id,
                                                   MultipartUpload={"Parts": parts})
        except BaseException:
            with contextlib.suppress(Exception):
                await client.abort_multipart_upload(Bucket=self.bucket, Key=name, UploadId=upload_id)
            raise

    async def put_bytes(self, key: str, data: bytes, modified: dt.datetime | None = None) -> None:
        """One PUT (the store dates the object)."""
        try:
            await (await self.client()).put_object(Bucket=self.bucket, Key=self._key(key), Body=data)
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(f"Writing {key} to the object store failed: {exc}") from exc

    async def size(self, key: str) -> int | None:
        """HEAD the object."""
        try:
            head = await (await self.client()).head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _MISSING:
                return None
            raise StorageError(f"The object store did not answer for {key}: {exc}") from exc
        return int(head["ContentLength"])

    async def read(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        """GET with a Range, streamed chunk by chunk."""
        options: dict[str, Any] = {"Bucket": self.bucket, "Key": self._key(key)}
        if start or end is not None:
            options["Range"] = f"bytes={start}-{'' if end is None else end}"
        try:
            answer = await (await self.client()).get_object(**options)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _MISSING:
                raise FileNotFoundError(key) from None
            raise StorageError(f"Reading {key} from the object store failed: {exc}") from exc
        async with answer["Body"] as body:
            while chunk := await body.read(CHUNK):
                yield chunk

    async def delete(self, key: str) -> None:
        """DELETE the object (S3 answers the same whether it existed or not)."""
        try:
            await (await self.client()).delete_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            raise StorageError(f"Deleting {key} from the object store failed: {exc}") from exc

    async def list(self, prefix: str) -> AsyncIterator[StoredObject]:
        """Objects under `prefix/`, page by page."""
        client = await self.client()
        cut = len(self.prefix) + 1 if self.prefix else 0
        paginator = client.get_paginator("list_objects_v2")
        async for page in paginator.paginate(Bucket=self.bucket, Prefix=self._key(prefix) + "/"):
            for item in page.get("Contents", []):
                yield StoredObject(item["Key"][cut:], int(item["Size"]), item["LastModified"])
