"""The OpenAPI description of /reports/* and /people, merged into the document by huddles.api."""

from __future__ import annotations

from typing import Any

RATE = {"type": "number", "nullable": True, "minimum": 0, "maximum": 1}
DAY = {"type": "string", "format": "date"}
COVERAGE_STATUS = {
    "type": "string",
    "enum": ["planned", "running", "done", "ended", "missed", "off"],
}


def _obj(required: list[str], **properties: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": properties}


def _array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


def _int() -> dict[str, Any]:
    return {"type": "integer"}


def _str() -> dict[str, Any]:
    return {"type": "string"}


ATTENDANCE = _obj(
    ["from", "to", "shifts", "people"],
    **{"from": DAY, "to": DAY},
    location_id=_int(),
    rate=RATE,
    shifts=_array(
        _obj(
            ["shift_id", "name", "huddles", "rate"],
            shift_id=_int(),
            name=_str(),
            huddles=_int(),
            expected=_int(),
            attended=_int(),
            rate=RATE,
            average_duration_s={"type": "number", "nullable": True},
            overruns=_int(),
        )
    ),
    people=_array(
        _obj(
            ["user_id", "name", "expected", "attended", "rate"],
            user_id=_int(),
            name=_str(),
            expected=_int(),
            attended=_int(),
            rate=RATE,
            late=_int(),
            not_caught_up=_int(),
        )
    ),
    weeks=_array(_obj(["week"], week=DAY, expected=_int(), attended=_int())),
)
COVERAGE = _obj(
    ["from", "to", "shifts"],
    **{"from": DAY, "to": DAY},
    location_id=_int(),
    held_share=RATE,
    shifts=_array(
        _obj(
            ["shift_id", "name", "days"],
            shift_id=_int(),
            name=_str(),
            held_share=RATE,
            days=_array(_obj(["date", "status"], date=DAY, status=COVERAGE_STATUS)),
        )
    ),
)
KUDOS = _obj(
    ["from", "to", "total", "top_share", "values", "people"],
    **{"from": DAY, "to": DAY},
    location_id=_int(),
    total=_int(),
    top_share={"type": "number", "minimum": 0, "maximum": 1},
    values=_array(
        _obj(["value", "count"], value={"type": "string", "nullable": True}, count=_int())
    ),
    people=_array(
        _obj(
            ["user_id", "name", "given", "received"],
            user_id=_int(),
            name=_str(),
            given=_int(),
            received=_int(),
        )
    ),
    weeks=_array(_obj(["week", "count"], week=DAY, count=_int())),
)
TOPICS = _obj(
    ["from", "to", "topics"],
    **{"from": DAY, "to": DAY},
    location_id=_int(),
    topics=_array(
        _obj(
            ["slug", "kind", "title", "used", "last_used", "up", "down"],
            slug=_str(),
            kind=_str(),
            title=_str(),
            used=_int(),
            last_used={"type": "string", "format": "date", "nullable": True},
            up=_int(),
            down=_int(),
        )
    ),
    kinds=_array(
        _obj(
            ["week", "counts"],
            week=DAY,
            counts={"type": "object", "additionalProperties": _int()},
        )
    ),
)
PERSON = _obj(
    ["id", "name", "email", "role", "location_id", "active", "shift_ids"],
    id=_int(),
    name=_str(),
    email=_str(),
    role={"type": "string", "enum": ["admin", "lead", "staff"]},
    location_id={"type": "integer", "nullable": True},
    active={"type": "boolean"},
    shift_ids=_array(_int()),
)


def _page_of(items: dict[str, Any]) -> dict[str, Any]:
    return _obj(
        ["items", "page", "per_page", "total"],
        items=_array(items),
        page={"type": "integer", "minimum": 1},
        per_page={"type": "integer", "minimum": 1, "maximum": 100},
        total={"type": "integer", "minimum": 0},
    )


def _query(name: str, kind: str = "string", **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": {"type": kind, **extra}}


ERROR = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
ERRORS = {
    "400": {"description": "Bad input; error.field names the parameter", **ERROR},
    "401": {"description": "Not signed in"},
    "403": {"description": "Not a lead of that location nor an admin"},
    "404": {"description": "No such location"},
}
REPORT_PARAMS = [
    _query("location_id", "integer", description="a lead's own by default; admins must say"),
    _query("from", format="date", description="first day (default: the 1st of this month)"),
    _query("to", format="date", description="last day, at most 366 days after from"),
    _query("format", enum=["json", "csv"]),
    _query("table", description="with format=csv: which table of the report"),
]


def _report(summary: str, schema: dict[str, Any], csv_rows: str) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "parameters": REPORT_PARAMS,
            "responses": {
                "200": {
                    "description": f"The report; with format=csv {csv_rows} as CSV",
                    "content": {
                        "application/json": {"schema": schema},
                        "text/csv": {"schema": {"type": "string"}},
                    },
                },
                **ERRORS,
            },
        }
    }


def paths() -> dict[str, Any]:
    return {
        "/reports/attendance": _report(
            "Attendance rate per shift and per person (present and late attend; excused is "
            "not expected)",
            ATTENDANCE,
            "the people rows (table=people|shifts|weeks)",
        ),
        "/reports/coverage": _report(
            "Each shift's huddle status per day; off where the shift does not run",
            COVERAGE,
            "one row per shift and day (table=days|shifts)",
        ),
        "/reports/kudos": _report(
            "Thank-yous given and received per person and per value; top_share is the share "
            "received by the top fifth of people",
            KUDOS,
            "the people rows (table=people|values|weeks)",
        ),
        "/reports/topics": _report(
            "Topics used in huddles that took place, when last, and the room's verdict",
            TOPICS,
            "the topic rows (table=topics|kinds)",
        ),
        "/people": {
            "get": {
                "summary": "A page of people: admins (everyone, or ?location_id=), leads (their "
                "location)",
                "parameters": [
                    _query("location_id", "integer"),
                    _query("role", enum=["admin", "lead", "staff"]),
                    _query("page", "integer", minimum=1),
                    _query("per_page", "integer", minimum=1, description="at most 100"),
                ],
                "responses": {
                    "200": {
                        "description": "A page",
                        "content": {"application/json": {"schema": _page_of(PERSON)}},
                    },
                    **ERRORS,
                },
            }
        },
    }
