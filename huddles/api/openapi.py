"""The OpenAPI 3 description of /api/v1, kept beside the code it describes."""

from __future__ import annotations

from typing import Any


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
                    "parameters": [SHIFT_ID, DATE, LANG],
                    "responses": {"200": _ok({"type": "object"}), **ERRORS},
                }
            },
            "/shifts/{id}/attendance": {
                "get": {
                    "parameters": [SHIFT_ID, DATE],
                    "responses": {
                        "200": _ok({"type": "array", "items": {"type": "object"}}),
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
                                        }
                                    },
                                }
                            }
                        }
                    },
                    "responses": {"200": _ok({"type": "object"}), **ERRORS},
                }
            },
            "/topics": {
                "get": {
                    "parameters": [
                        _param("kind"),
                        _param("q"),
                        LANG,
                        _param("page", kind="integer"),
                        _param("per_page", kind="integer"),
                    ],
                    "responses": {"200": _ok(_ref("Page")), **ERRORS},
                },
                "post": {"responses": {"201": _ok({"type": "object"}), **ERRORS}},
            },
            "/topics/{slug}": {
                "patch": {
                    "parameters": [_param("slug", "path")],
                    "responses": {"200": _ok({"type": "object"}), **ERRORS},
                },
                "delete": {
                    "parameters": [_param("slug", "path")],
                    "responses": {"200": _ok({"type": "object"}), **ERRORS},
                },
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
        },
    }
