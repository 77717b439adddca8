"""Request bodies as Discord reads them: JSON, or multipart with ``payload_json`` + ``files[n]``."""

from __future__ import annotations

import json
import re
from typing import Any

from aiohttp import BodyPartReader, web

from .errors import INVALID_FORM_BODY, INVALID_JSON, ApiError, api_error
from .messages import UploadedFile

_FILE_FIELD = re.compile(r"^files\[(\d+)\]$")


async def read_body(request: web.Request) -> tuple[dict[str, Any], list[UploadedFile]]:
    """The JSON payload and uploaded files of a request ({} and [] when it has no body)."""
    content_type = request.content_type
    if content_type == "multipart/form-data":
        return await _read_multipart(request)
    raw = await request.read()
    if not raw:
        return {}, []
    if content_type != "application/json":
        raise api_error(INVALID_JSON)
    try:
        payload = json.loads(raw)
    except ValueError:
        raise api_error(INVALID_JSON) from None
    if not isinstance(payload, dict):
        raise api_error(INVALID_FORM_BODY)
    return payload, []


async def read_json_list(request: web.Request) -> list[Any]:
    raw = await request.read()
    if request.content_type != "application/json":
        raise api_error(INVALID_JSON)
    data = json.loads(raw or b"null")
    if not isinstance(data, list):
        raise api_error(INVALID_FORM_BODY)
    return data


async def _read_multipart(request: web.Request) -> tuple[dict[str, Any], list[UploadedFile]]:
    reader = await request.multipart()
    payload: dict[str, Any] = {}
    files: list[UploadedFile] = []
    while True:
        part = await reader.next()
        if part is None:
            break
        if not isinstance(part, BodyPartReader):
            continue
        name = part.name or ""
        if name == "payload_json":
            payload = json.loads(await part.text())
            continue
        match = _FILE_FIELD.match(name)
        if match is None:
            raise ApiError(400, INVALID_FORM_BODY, f"Invalid Form Body: unexpected field {name!r}")
        data = bytes(await part.read())
        content_type = part.headers.get("Content-Type")
        files.append(UploadedFile(int(match.group(1)), part.filename or name, data, content_type))
    return payload, files
