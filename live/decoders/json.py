"""POST /api/points' JSON: a point, a list of points, or {"points": [...]} (pure)."""

from __future__ import annotations

import json
from typing import Any

from live.model import InvalidInput


def _reject_constant(name: str) -> float:
    raise InvalidInput(f"body is not valid JSON: {name} is not a number JSON allows", status=400)


def parse_json(body: bytes) -> Any:
    """Decode a request body as strict UTF-8 JSON (no NaN or Infinity)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidInput(f"body is not UTF-8: bad byte at offset {error.start}", status=400) from None
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise InvalidInput(
            f"body is not valid JSON: {error.msg} at line {error.lineno} column {error.colno}", status=400
        ) from None
    except RecursionError:
        raise InvalidInput("body is not valid JSON: nested too deeply", status=400) from None
    except InvalidInput:
        raise  # NaN or Infinity, already named (InvalidInput is a ValueError too)
    except ValueError as error:  # an integer over Python's 4,300-digit limit for str -> int
        raise InvalidInput(f"body is not valid JSON: {error}"[:200], status=400) from None


def json_items(payload: Any) -> list[Any]:
    """Return the points a decoded body holds, unchecked: it is one point, a list, or {"points": [...]}."""
    if isinstance(payload, list):
        return payload
    if isinstance(payload, dict) and "points" in payload:
        extra = sorted(set(payload) - {"points"})
        if extra:
            raise InvalidInput(f'unknown field {extra[0]!r}; a batch is {{"points": [...]}}', field=extra[0])
        if not isinstance(payload["points"], list):
            raise InvalidInput("'points' must be a list of points", field="points")
        return payload["points"]
    if isinstance(payload, dict):
        return [payload]
    raise InvalidInput('body must be a point, a list of points, or {"points": [...]}')
