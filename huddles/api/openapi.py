"""The OpenAPI 3 description of /api/v1, kept beside the code it describes."""

from __future__ import annotations

from typing import Any

from huddles.reports import openapi as reports_openapi
from huddles.seasons import MAX_OFFSET_DAYS, MOVABLE_NAMES


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _param(name: str, where: str = "query", kind: str = "string", **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "schema": {"type": kind, **extra},
    }


def _ok(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "400": {"description": "Bad input", "content": {"application/json": {"schema": _ref("Error")}}},
    "401": {"description": "Not signed in"},
    "403": {"description": "Not allowed"},
    "404": {"description": "Not found"},
}

DATE = _param("date", kind="string", format="date")
LANG = _param("lang", kind="string", enum=["en", "de", "ru", "pl", "ar"])
SHIFT_ID = _param("id", "path", "integer")


TOPIC_KINDS = [
    "tip",
    "wow-story",
    "default-of-yes",
    "culture-matrix",
    "habit",
    "recovery",
    "lexicon",
]
SETTINGS = ["hotel", "restaurant", "retail", "contact-centre", "other"]
TOPIC_FIELDS: dict[str, Any] = {
    "slug": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "maxLength": 120},
    "kind": {"type": "string", "enum": TOPIC_KINDS},
    "status": {"type": "string", "enum": ["draft", "published", "retired"]},
    "title": {"type": "string", "maxLength": 200},
    "minutes": {"type": "number", "exclusiveMinimum": True, "minimum": 0, "maximum": 10},
    "prompt": {"type": "string"},
    "body": {"type": "string", "description": "Markdown"},
    "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 10},
    "source": {"type": "string"},
    "settings": {
        "type": "array",
        "items": {"type": "string", "enum": SETTINGS},
        "description": "the workplaces the topic fits; empty fits all",
    },
    "illustrative": {
        "type": "boolean",
        "description": "wow-story only: an invented story, told as 'picture this'",
    },
    "season": {
        "type": "object",
        "nullable": True,
        "description": (
            "days of the year ({from, to} as MM-DD), or a season that moves each year "
            "({name, before, after}: Ramadan by the Umm al-Qura calendar, from `before` days "
            "before it until `after` days after it); a file or a write may give the name alone"
        ),
        "properties": {
            "from": {"type": "string", "example": "12-01"},
            "to": {"type": "string", "example": "01-06"},
            "name": {"type": "string", "enum": list(MOVABLE_NAMES)},
            "before": {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET_DAYS},
            "after": {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET_DAYS},
        },
    },
    "avoid": {"type": "string", "nullable": True, "description": "lexicon only"},
    "say_instead": {"type": "string", "nullable": True, "description": "lexicon only"},
}
AGENDA_ITEM: dict[str, Any] = {
    "type": "object",
    "properties": {
        "position": {"type": "integer"},
        "slot": {"type": "string", "example": "topic"},
        "slot_title": {"type": "string"},
        "fill": {"type": "string", "enum": ["roster", "kudos", "rotation", "notes"]},
        "kind": {"type": "string", "nullable": True, "enum": TOPIC_KINDS},
        "title": {"type": "string"},
        "minutes": {"type": "number"},
        "topic_slug": {"type": "string", "nullable": True},
        "body_html": {"type": "string", "description": "sanitised HTML"},
        "prompt": {"type": "string"},
        "avoid": {"type": "string", "nullable": True},
        "say_instead": {"type": "string", "nullable": True},
        "lang": {"type": "string", "nullable": True},
        "reason": {"type": "string", "enum": ["fixed", "pin", "fresh", "repeat", "empty"]},
        "swapped": {"type": "boolean"},
    },
}
AGENDA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "shift_id": {"type": "integer"},
        "date": {"type": "string", "format": "date"},
        "status": {"type": "string", "enum": ["planned", "running", "done"]},
        "scope": {"type": "string", "example": "location:1"},
        "opened": {"type": "boolean"},
        "minutes": {"type": "number"},
        "items": {"type": "array", "items": AGENDA_ITEM},
        "kudos": {
            "type": "array",
            "items": {"type": "object"},
            "description": "The thank-yous the huddle reads out, oldest first, at most 10.",
        },
        "kudos_more": {
            "type": "integer",
            "description": "How many more thank-yous there are (they stay on the wall).",
        },
    },
}
CONFLICT = {"409": {"description": "Duplicate slug or a newer revision"}}
SWAP_OPTION: dict[str, Any] = {
    "type": "object",
    "properties": {
        "topic_slug": {"type": "string"},
        "title": {"type": "string"},
        "fits": {"type": "boolean", "description": "made for this setting (or for all)"},
        "last_used": {"type": "string", "format": "date", "nullable": True},
    },
}
PERSON_REF: dict[str, Any] = {
    "type": "object",
    "properties": {"user_id": {"type": "integer"}, "name": {"type": "string"}},
}
STORY: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "status": {"type": "string", "enum": ["submitted", "published", "declined"]},
        "title": {"type": "string"},
        "body": {"type": "string"},
        "teller": PERSON_REF,
        "about": {**PERSON_REF, "nullable": True},
        "location_id": {"type": "integer", "nullable": True},
        "decline_reason": {"type": "string", "nullable": True},
        "topic_slug": {"type": "string", "nullable": True},
        "created_at": {"type": "string", "format": "date-time"},
        "decided_at": {"type": "string", "format": "date-time", "nullable": True},
    },
}
STORY_ID = _param("id", "path", "integer")
STORY_ERRORS = {
    "422": {
        "description": "Bad input; error.field names what to fix",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    },
    "409": {"description": "The story was already published or declined"},
}


def _json_body(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return {"required": bool(required), "content": {"application/json": {"schema": schema}}}


INVALID = {
    "422": {
        "description": "Bad input; error.field names what to fix",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
}
DISPLAY: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "location_id": {"type": "integer"},
        "name": {"type": "string"},
        "paired_at": {"type": "string", "format": "date-time"},
        "last_seen_at": {"type": "string", "format": "date-time", "nullable": True},
    },
}
SETTINGS_ENUM = ["hotel", "restaurant", "retail", "contact-centre", "other"]
SCREENS_AND_LOCATIONS: dict[str, Any] = {
    "/displays/pair": {
        "post": {
            "summary": "Pair the break-room screen that shows this code at /display",
            "description": "Lead of that location or admin. The code is 6 capital letters and "
            "digits, single-use, valid 15 minutes.",
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["code", "location_id"],
                            "properties": {
                                "code": {"type": "string", "example": "K7QX4M"},
                                "location_id": {"type": "integer"},
                                "name": {"type": "string", "maxLength": 80},
                            },
                        }
                    }
                },
            },
            "responses": {
                "201": {
                    "description": "Paired",
                    "content": {"application/json": {"schema": DISPLAY}},
                },
                **INVALID,
                **ERRORS,
            },
        }
    },
    "/displays": {
        "get": {
            "summary": "The paired screens of a location (default: those you may lead)",
            "parameters": [_param("location_id", kind="integer")],
            "responses": {"200": _ok({"type": "array", "items": DISPLAY}), **ERRORS},
        }
    },
    "/displays/{id}": {
        "delete": {
            "summary": "Unpair a screen: its credential stops working, it shows a new code",
            "parameters": [_param("id", "path", "integer")],
            "responses": {"200": _ok({"type": "object"}), **ERRORS},
        }
    },
    "/locations/{id}": {
        "patch": {
            "summary": "Change a location (admins); a new webhook_url returns its "
            "webhook_secret once",
            "parameters": [_param("id", "path", "integer")],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "name": {"type": "string", "maxLength": 120},
                                "timezone": {"type": "string", "example": "Europe/Berlin"},
                                "locale": {
                                    "type": "string",
                                    "enum": ["en", "de", "ru", "pl", "ar"],
                                },
                                "setting": {"type": "string", "enum": SETTINGS_ENUM},
                                "webhook_url": {
                                    "type": "string",
                                    "nullable": True,
                                    "description": "public http(s) URL; empty or null: none",
                                },
                            },
                        }
                    }
                },
            },
            "responses": {"200": _ok({"type": "object"}), **INVALID, **ERRORS},
        }
    },
}


def _topic_body(required: list[str]) -> dict[str, Any]:
    properties = {
        **TOPIC_FIELDS,
        "translations": {
            "type": "object",
            "description": "language -> {title, prompt, body, avoid, say_instead, "
            "status: draft|reviewed}",
        },
    }
    if not required:
        properties["revision"] = {"type": "integer"}
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return {"required": True, "content": {"application/json": {"schema": schema}}}


ATTENDANCE_STATUS = {
    "type": "string",
    "enum": ["present", "late", "excused", "absent"],
    "nullable": True,
}
ATTENDANCE_ROW = {
    "type": "object",
    "properties": {
        "user_id": {"type": "integer"},
        "name": {"type": "string"},
        "status": ATTENDANCE_STATUS,
        "visitor": {"type": "boolean"},
        "self_check_in": {"type": "boolean"},
        "caught_up": {"type": "boolean"},
    },
}
ATTENDANCE_RECORD = {
    "type": "object",
    "properties": {
        "user_id": {"type": "integer"},
        "status": ATTENDANCE_STATUS,
        "visitor": {"type": "boolean"},
        "self_check_in": {"type": "boolean"},
        "marked_by_id": {"type": "integer", "nullable": True},
        "marked_at": {"type": "string", "format": "date-time"},
    },
}


_PERSON = {
    "type": "object",
    "nullable": True,
    "properties": {"user_id": {"type": "integer"}, "name": {"type": "string"}},
}
HUDDLE_RECORD: dict[str, Any] = {
    "type": "object",
    "properties": {
        "record_id": {"type": "string"},
        "fingerprint": {"type": "string"},
        "location_id": {"type": "integer"},
        "shift_id": {"type": "integer"},
        "date": {"type": "string", "format": "date"},
        "status": {"type": "string", "enum": ["planned", "running", "done", "ended", "missed"]},
        "closed_reason": {
            "type": "string",
            "nullable": True,
            "enum": ["overran", "shift-over", "never-started"],
        },
        "planned_start": {"type": "string", "format": "date-time"},
        "planned_minutes": {"type": "number"},
        "started_at": {"type": "string", "format": "date-time", "nullable": True},
        "finished_at": {"type": "string", "format": "date-time", "nullable": True},
        "duration_s": {"type": "integer", "nullable": True},
        "led_by": _PERSON,
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "slot": {"type": "string"},
                    "topic_slug": {"type": "string", "nullable": True},
                    "revision": {"type": "integer", "nullable": True},
                },
            },
        },
        "attendance": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "user_id": {"type": "integer"},
                    "name": {"type": "string"},
                    "status": {"type": "string", "nullable": True},
                    "self_check_in": {"type": "boolean"},
                    "visitor": {"type": "boolean"},
                    "method": {"type": "string", "nullable": True},
                    "via": {"type": "string", "nullable": True},
                    "marked_by": _PERSON,
                    "marked_at": {"type": "string", "format": "date-time", "nullable": True},
                },
            },
        },
        "here": {"type": "integer"},
        "expected": {"type": "integer"},
        "notes": {"type": "string"},
        "feedback": {"type": "string", "enum": ["up", "down"], "nullable": True},
    },
}


def document() -> dict[str, Any]:
    """The whole document."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "Huddles API", "version": "1"},
        "servers": [{"url": "/api/v1"}],
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message"],
                            "properties": {
                                "code": {"type": "string"},
                                "message": {"type": "string"},
                                "field": {"type": "string"},
                            },
                        }
                    },
                },
                "Me": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "name": {"type": "string"},
                        "email": {"type": "string"},
                        "role": {"type": "string", "enum": ["admin", "lead", "staff"]},
                        "location_id": {"type": "integer", "nullable": True},
                        "locale": {"type": "string", "nullable": True},
                    },
                },
                "Location": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "name": {"type": "string"},
                        "timezone": {"type": "string"},
                        "locale": {"type": "string"},
                    },
                },
                "Shift": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "location_id": {"type": "integer"},
                        "name": {"type": "string"},
                        "starts_at": {"type": "string", "example": "07:00"},
                        "duration_minutes": {"type": "integer"},
                        "weekdays": {"type": "array", "items": {"type": "integer"}},
                        "active": {"type": "boolean"},
                    },
                },
                "Kudos": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "location_id": {"type": "integer"},
                        "from_user_id": {"type": "integer"},
                        "from_name": {"type": "string"},
                        "to_user_id": {"type": "integer"},
                        "to_name": {"type": "string"},
                        "message": {"type": "string"},
                        "value": {"type": "string", "nullable": True},
                        "value_label": {"type": "string", "nullable": True},
                        "created_at": {"type": "string", "format": "date-time"},
                        "read_out_at": {"type": "string", "format": "date-time", "nullable": True},
                        "read_out_agenda_id": {"type": "integer", "nullable": True},
                        "hidden": {"type": "boolean", "description": "leads and admins only"},
                        "hidden_reason": {"type": "string", "nullable": True},
                    },
                },
                "Topic": {
                    "type": "object",
                    "properties": {
                        **TOPIC_FIELDS,
                        "body_html": {"type": "string", "description": "sanitised HTML"},
                        "lang": {"type": "string", "description": "language of the text"},
                        "untranslated": {
                            "type": "array",
                            "items": {"type": "string"},
                            "description": "fields shown in English for want of a translation",
                        },
                        "translations": {
                            "type": "object",
                            "description": "language -> {title, prompt, body, avoid, "
                            "say_instead, status: draft|reviewed}",
                        },
                        "revision": {"type": "integer"},
                        "updated_at": {"type": "string", "format": "date-time"},
                    },
                },
                "Page": {
                    "type": "object",
                    "properties": {
                        "items": {"type": "array", "items": {"type": "object"}},
                        "page": {"type": "integer"},
                        "per_page": {"type": "integer"},
                        "total": {"type": "integer"},
                    },
                },
            },
        },
        "security": [{"bearer": []}, {"session": []}],
        "paths": {
            "/health": {"get": {"security": [], "responses": {"200": _ok({"type": "object"})}}},
            "/openapi.json": {
                "get": {"security": [], "responses": {"200": _ok({"type": "object"})}}
            },
            "/me": {"get": {"responses": {"200": _ok(_ref("Me")), **ERRORS}}},
            "/locations": {
                "get": {
                    "responses": {
                        "200": _ok({"type": "array", "items": _ref("Location")}),
                        **ERRORS,
                    }
                }
            },
            "/shifts": {
                "get": {
                    "parameters": [_param("location_id", kind="integer")],
                    "responses": {"200": _ok({"type": "array", "items": _ref("Shift")}), **ERRORS},
                }
            },
            "/shifts/{id}/agenda": {
                "get": {
                    "summary": "The shift's agenda of a day (made on first request, then frozen)",
                    "description": (
                        "Made on first request within the planning window: today and the next "
                        "HUDDLES_PLAN_DAYS - 1 days by anyone of the location, further ahead only "
                        "by its lead or an admin (403 otherwise). Never made for a day that has "
                        "passed: 404, no huddle was planned (an existing one is still returned)."
                    ),
                    "parameters": [SHIFT_ID, DATE, LANG],
                    "responses": {"200": _ok(AGENDA), **ERRORS},
                }
            },
            "/shifts/{id}/agenda/swap": {
                "post": {
                    "summary": "A lead swaps a topic slot before the start: for the next best "
                    "one, or for `topic_slug`, one of /agenda/swap-options",
                    "parameters": [SHIFT_ID, DATE, LANG],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["slot"],
                                    "properties": {
                                        "slot": {"type": "string", "example": "topic"},
                                        "topic_slug": {"type": "string"},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": _ok(AGENDA),
                        **ERRORS,
                        "409": {"description": "The huddle has started"},
                    },
                }
            },
            "/shifts/{id}/agenda/swap-options": {
                "get": {
                    "summary": "The few topics a lead may swap into a slot, best first "
                    "(fitting the location's setting first)",
                    "parameters": [SHIFT_ID, DATE, _param("slot", example="topic")],
                    "responses": {
                        "200": _ok({"type": "array", "items": SWAP_OPTION}),
                        **ERRORS,
                        "409": {"description": "The huddle has started"},
                    },
                }
            },
            "/shifts/{id}/attendance": {
                "get": {
                    "description": "The shift's roster (then visitors) and each one's status "
                    "(null: not marked). Lead of that location or admin.",
                    "parameters": [SHIFT_ID, DATE],
                    "responses": {
                        "200": _ok({"type": "array", "items": ATTENDANCE_ROW}),
                        **ERRORS,
                    },
                }
            },
            "/shifts/{id}/attendance/{user_id}": {
                "put": {
                    "parameters": [SHIFT_ID, _param("user_id", "path", "integer"), DATE],
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["status"],
                                    "properties": {
                                        "status": {
                                            "type": "string",
                                            "enum": ["present", "late", "excused", "absent"],
                                        },
                                        "via": {
                                            "type": "string",
                                            "enum": ["screen", "api"],
                                            "description": "Where the mark was made (default "
                                            "api); after the huddle's window it is a correction",
                                        },
                                    },
                                }
                            }
                        }
                    },
                    "responses": {
                        "200": _ok(ATTENDANCE_RECORD),
                        **ERRORS,
                        "409": {"description": "Outside the huddle's window or corrections"},
                        "422": ERRORS["400"],
                    },
                },
                "delete": {
                    "description": "Undo: the person is no longer marked (repeating is fine).",
                    "parameters": [SHIFT_ID, _param("user_id", "path", "integer"), DATE],
                    "responses": {"200": _ok({"type": "object"}), **ERRORS},
                },
            },
            "/shifts/{id}/huddle": {
                "get": {
                    "description": "The huddle's record: when it ran, who led it, each topic with "
                    "its revision, each person with their status and how it was recorded, notes "
                    "and the room's feedback. Signed in, that location. 404 when no huddle was "
                    "planned that day. `duration_s` is null unless the lead finished it.",
                    "parameters": [SHIFT_ID, DATE, LANG],
                    "responses": {"200": _ok(HUDDLE_RECORD), **ERRORS},
                }
            },
            "/shifts/{id}/check-in": {
                "post": {
                    "description": "The signed-in person, on that shift's roster, checks in as "
                    "present while the huddle's check-in window is open (from 30 minutes before "
                    "the shift starts until the huddle is over). A lead's earlier mark stands. "
                    "`via` says where it came from (`today` for the Today page's button; "
                    "default `api`); a form post with `next` goes back there.",
                    "parameters": [SHIFT_ID, DATE],
                    "requestBody": {
                        "required": False,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "via": {"type": "string", "enum": ["today", "api"]}
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": _ok(ATTENDANCE_RECORD),
                        **ERRORS,
                        "409": {"description": "The check-in window is not open"},
                        "422": ERRORS["400"],
                    },
                }
            },
            "/shifts/{id}/feedback": {
                "post": {
                    "description": "The room's verdict on the topic of that huddle, once it has "
                    "started (and for 7 days after its shift); repeating replaces it. Lead of "
                    "that location or admin.",
                    "parameters": [SHIFT_ID, DATE],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["topic"],
                                    "properties": {
                                        "topic": {"type": "string", "enum": ["up", "down"]}
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": _ok(
                            {
                                "type": "object",
                                "properties": {
                                    "shift_id": {"type": "integer"},
                                    "date": {"type": "string", "format": "date"},
                                    "topic": {"type": "string", "enum": ["up", "down"]},
                                    "feedback_at": {"type": "string", "format": "date-time"},
                                },
                            }
                        ),
                        **ERRORS,
                        "409": {"description": "The huddle has not started, or is long past"},
                        "422": ERRORS["400"],
                    },
                }
            },
            "/topics": {
                "get": {
                    "description": "A page of topics (staff and leads: published only).",
                    "parameters": [
                        _param("kind", enum=TOPIC_KINDS),
                        _param("q", description="words in the title, text, question or tags"),
                        _param("tag"),
                        _param("setting", enum=SETTINGS, description="topics that fit it"),
                        _param("translated", enum=["de", "ru", "pl", "ar"]),
                        _param("status", enum=["draft", "published", "retired"]),
                        LANG,
                        _param("page", kind="integer"),
                        _param("per_page", kind="integer"),
                    ],
                    "responses": {"200": _ok(_ref("Page")), **ERRORS},
                },
                "post": {
                    "description": "Create a topic (admins). Without a slug, the title gives one "
                    "(made unique with -2, -3 …).",
                    "requestBody": _topic_body(["kind", "title"]),
                    "responses": {"201": _ok(_ref("Topic")), **ERRORS, **CONFLICT},
                },
            },
            "/topics/{slug}": {
                "get": {
                    "parameters": [_param("slug", "path"), LANG],
                    "responses": {"200": _ok(_ref("Topic")), **ERRORS},
                },
                "patch": {
                    "description": "Change some fields (admins): a new revision. Send "
                    "`revision` (the number you edited) to refuse overwriting a newer one.",
                    "parameters": [_param("slug", "path")],
                    "requestBody": _topic_body([]),
                    "responses": {"200": _ok(_ref("Topic")), **ERRORS, **CONFLICT},
                },
                "delete": {
                    "description": "Retire the topic (admins); topics are never deleted.",
                    "parameters": [_param("slug", "path")],
                    "responses": {"200": _ok(_ref("Topic")), **ERRORS},
                },
            },
            "/stories": {
                "get": {
                    "description": "A page of wow stories from the floor, newest first: an "
                    "admin sees the organisation's, everyone else their own.",
                    "parameters": [
                        _param("status", enum=["submitted", "published", "declined"]),
                        _param("page", kind="integer"),
                        _param("per_page", kind="integer"),
                    ],
                    "responses": {"200": _ok(_ref("Page")), **ERRORS},
                },
                "post": {
                    "description": "Tell a wow story; about_user_id (optional) is a colleague "
                    "of your location.",
                    "requestBody": _json_body(
                        {
                            "title": {"type": "string", "maxLength": 200},
                            "body": {"type": "string", "maxLength": 3000},
                            "about_user_id": {"type": "integer", "nullable": True},
                        },
                        ["title", "body"],
                    ),
                    "responses": {"201": _ok(STORY, "Created"), **ERRORS, **STORY_ERRORS},
                },
            },
            "/stories/{id}": {
                "get": {
                    "description": "One story (its teller, or an admin).",
                    "parameters": [STORY_ID],
                    "responses": {"200": _ok(STORY), **ERRORS},
                }
            },
            "/stories/{id}/publish": {
                "post": {
                    "description": "Admins: publish as a wow-story topic for the teller's "
                    "setting, crediting the teller and the colleague; optionally edited.",
                    "parameters": [STORY_ID],
                    "requestBody": _json_body(
                        {
                            "title": {"type": "string"},
                            "body": {"type": "string"},
                            "prompt": {"type": "string"},
                        },
                        [],
                    ),
                    "responses": {"200": _ok(STORY), **ERRORS, **STORY_ERRORS},
                }
            },
            "/stories/{id}/decline": {
                "post": {
                    "description": "Admins: decline with a reason the teller sees.",
                    "parameters": [STORY_ID],
                    "requestBody": _json_body(
                        {"reason": {"type": "string", "maxLength": 500}}, ["reason"]
                    ),
                    "responses": {"200": _ok(STORY), **ERRORS, **STORY_ERRORS},
                }
            },
            "/kudos": {
                "get": {
                    "description": "A location's kudos, newest first (leads and admins also see "
                    "hidden ones, with who hid them and why). location_id defaults to your own.",
                    "parameters": [
                        _param("location_id", kind="integer"),
                        _param("since", kind="string", format="date"),
                        _param("page", kind="integer"),
                        _param("per_page", kind="integer"),
                    ],
                    "responses": {"200": _ok(_ref("Page")), **ERRORS},
                },
                "post": {
                    "description": "Thank a colleague of your location (admins: anyone).",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["to_user_id", "message"],
                                    "properties": {
                                        "to_user_id": {"type": "integer"},
                                        "message": {
                                            "type": "string",
                                            "minLength": 1,
                                            "maxLength": 500,
                                        },
                                        "value": {"type": "string", "nullable": True},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "201": _ok(_ref("Kudos"), "Created"),
                        "422": {
                            "description": "Bad input; error.field names what to fix",
                            "content": {"application/json": {"schema": _ref("Error")}},
                        },
                        "429": {
                            "description": "The daily cap is reached (code kudos_daily_cap)",
                            "content": {"application/json": {"schema": _ref("Error")}},
                        },
                        **ERRORS,
                    },
                },
            },
            **reports_openapi.paths(),
            **SCREENS_AND_LOCATIONS,
        },
    }
