"""schemathesis hooks for scripts/fuzz-api.sh (loaded through SCHEMATHESIS_HOOKS).

Some operations validate more than JSON Schema can say: a phone number must be valid for its
country (libphonenumber), a password must not be guessable (zxcvbn), a history cursor must be
one the server issued (and a password-reset token one it mailed), `date_from` must not be
after `date_to`, `tz` must name an IANA zone, and
`duration` must be an integer literal (JSON Schema counts `10.0` as an integer). openapi.yml
documents each rule; schema-valid data can still break one, and the server then answers 400.

For those operations only, fuzz-api.sh lets schemathesis' `positive_data_acceptance` accept a
400, and the check below takes over its job for that status: a schema-valid request may be
refused with 400 only for one of the rules listed here, recognised by the message the server
sends. Any other 400 to schema-valid data still fails the run, so the check keeps its strength.
"""

from __future__ import annotations

import re

import schemathesis

# Operation -> the 400 messages of the rules its schema cannot express, in each language the
# server answers in (schemathesis sends Accept-Language, which openapi.yml documents; the
# messages are those of crates/server-actix/locales/*/errors.ftl).
UNEXPRESSIBLE_RULES: dict[str, list[re.Pattern[str]]] = {
    "POST /api/auth/register": [
        re.compile(r"^password is too common\b"),
        re.compile(r"^пароль слишком распространён\b"),
    ],
    "POST /api/calls": [
        re.compile(r"^phone_number is not a valid number for its country$"),
        re.compile(r"^phone_number не является действительным номером своей страны$"),
    ],
    "POST /api/calls/initiate": [
        re.compile(r"^phone_number is not a valid number for its country$"),
        re.compile(r"^phone_number не является действительным номером своей страны$"),
    ],
    "PUT /api/calls/{id}": [
        re.compile(r"^duration: invalid type: floating point `-?[0-9.eE+-]+`, expected i64$"),
        re.compile(
            r"^недопустимое значение поля duration: invalid type: floating point `-?[0-9.eE+-]+`,"
            r" expected i64$"
        ),
    ],
    "POST /api/auth/password-reset/confirm": [
        re.compile(r"^the password-reset link is invalid, already used or expired; ask for a new one$"),
        re.compile(r"^ссылка для сброса пароля недействительна, уже использована или устарела; запросите новую$"),
        re.compile(r"^password is too common\b"),
        re.compile(r"^пароль слишком распространён\b"),
    ],
    "GET /api/calls/history": [
        re.compile(r"^cursor is not one this server issued$"),
        re.compile(r"^cursor выдан не этим сервером$"),
        re.compile(r"^date_from must not be after date_to$"),
        re.compile(r"^date_from не может быть позже date_to$"),
        re.compile(r"^tz must be an IANA time zone name\b"),
        re.compile(r"^tz должен быть названием часового пояса IANA\b"),
    ],
}


@schemathesis.check
def positive_data_refused_only_by_unexpressible_rules(ctx, response, case):
    """A 400 to schema-valid data must name a rule the schema cannot express."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 400:
        return None
    rules = UNEXPRESSIBLE_RULES.get(case.operation.label)
    if rules is None:
        return None
    try:
        message = response.json().get("message", "")
    except Exception:  # noqa: BLE001 - any unreadable body is a failure below
        message = ""
    if not any(rule.search(message) for rule in rules):
        raise AssertionError(
            "Schema-valid request refused with 400 for a reason the schema does not document "
            f"as beyond its reach: {message!r}. Make openapi.yml express the rule, or fix the server."
        )
    return None
