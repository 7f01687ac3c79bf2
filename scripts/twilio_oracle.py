#!/usr/bin/env python3
"""Twilio's official Python library (twilio 9.13) as an oracle for the Twilio adapter.

Run by crates/adapters-voip/tests/twilio_oracle.rs (through scripts/twilio-oracle.sh, which
installs the library into a throw-away virtual environment). Reads one JSON request on stdin,
writes one JSON answer on stdout:

* {"command": "sign", "auth_token", "cases": [{"url", "params": [[name, value], ...]}]}
  -> {"signatures": [...]}: RequestValidator.compute_signature for each case.
* {"command": "validate", "auth_token", "cases": [{"url", "params", "signature"}]}
  -> {"valid": [bool, ...]}: RequestValidator.validate for each case.
* {"command": "token", "jwt", "secret", "account_sid", "api_key_sid", "app_sid", "identity",
  "ttl", "nbf"} -> {"problems": [...]}: the token verifies with AccessToken.from_jwt and has the
  header and claims (structure, and every value but the issue time's) of the library's own.
* {"command": "twiml", "documents": [{"kind", "ours", ...}]} -> {"problems": [...]}: each of our
  documents equals VoiceResponse's after XML canonicalisation.
"""

import json
import sys
import warnings
import xml.etree.ElementTree as ElementTree

import jwt
from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import VoiceGrant
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import VoiceResponse

# Test secrets are short; the library's key-length warning is not what is checked here.
warnings.filterwarnings("ignore")


def sign(request):
    validator = RequestValidator(request["auth_token"])
    return {
        "signatures": [
            validator.compute_signature(case["url"], dict(case["params"]))
            for case in request["cases"]
        ]
    }


def validate(request):
    validator = RequestValidator(request["auth_token"])
    return {
        "valid": [
            bool(validator.validate(case["url"], dict(case["params"]), case["signature"]))
            for case in request["cases"]
        ]
    }


def shape(value):
    """The structure of a JSON value: keys and value types, recursively."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    return type(value).__name__


def token(request):
    problems = []
    try:
        AccessToken.from_jwt(request["jwt"], request["secret"])
    except Exception as error:  # noqa: BLE001 - any refusal is the finding
        problems.append(f"AccessToken.from_jwt refused the token: {error!r}")
    theirs = AccessToken(
        request["account_sid"],
        request["api_key_sid"],
        request["secret"],
        identity=request["identity"],
        ttl=request["ttl"],
        nbf=request["nbf"],
    )
    theirs.add_grant(VoiceGrant(outgoing_application_sid=request["app_sid"]))
    their_jwt = theirs.to_jwt()
    if isinstance(their_jwt, bytes):
        their_jwt = their_jwt.decode()
    our_header = jwt.get_unverified_header(request["jwt"])
    their_header = jwt.get_unverified_header(their_jwt)
    if our_header != their_header:
        problems.append(f"header {our_header} differs from the library's {their_header}")
    options = {"verify_signature": False}
    ours = jwt.decode(request["jwt"], options=options)
    their_claims = jwt.decode(their_jwt, options=options)
    if shape(ours) != shape(their_claims):
        problems.append(f"claims {shape(ours)} differ in structure from {shape(their_claims)}")
    for name in ("iss", "sub", "grants", "nbf"):
        if ours.get(name) != their_claims.get(name):
            problems.append(f"{name}: {ours.get(name)!r} != library's {their_claims.get(name)!r}")
    # The library stamps `exp` from its own clock when it signs, a moment after ours did: the
    # same rule (issue time plus ttl) may land on the next second, never earlier, never further.
    our_exp, their_exp = ours.get("exp"), their_claims.get("exp")
    if not isinstance(our_exp, int) or our_exp != request["nbf"] + request["ttl"]:
        problems.append(f"exp: {our_exp!r} is not the issue time plus ttl")
    elif not isinstance(their_exp, int) or not 0 <= their_exp - our_exp <= 2:
        problems.append(f"exp: {our_exp!r} != library's {their_exp!r}")
    if not str(ours.get("jti", "")).startswith(request["api_key_sid"] + "-"):
        problems.append(f"jti {ours.get('jti')!r} is not <API key SID>-<time>")
    return {"problems": problems}


def expected_twiml(document):
    response = VoiceResponse()
    kind = document["kind"]
    if kind == "dial":
        dial = response.dial(caller_id=document["from"], answer_on_bridge=True)
        dial.number(
            document["to"],
            status_callback=document["status_callback"],
            status_callback_event=" ".join(document["events"]),
        )
    elif kind == "hold":
        response.pause(length=document["seconds"])
    elif kind == "refuse":
        response.say(document["message"])
        response.hangup()
    elif kind == "hang_up":
        response.hangup()
    else:
        raise ValueError(f"unknown document kind {kind}")
    return response.to_xml()


def canonical(xml):
    # The declaration is not part of the canonical form; strip it so both parse alike.
    text = xml.split("?>", 1)[1] if xml.startswith("<?xml") else xml
    return ElementTree.canonicalize(xml_data=text)


def twiml(request):
    problems = []
    for document in request["documents"]:
        ours = canonical(document["ours"])
        theirs = canonical(expected_twiml(document))
        if ours != theirs:
            problems.append(f"{document['kind']}: ours {ours} != VoiceResponse's {theirs}")
    return {"problems": problems}


def main():
    request = json.load(sys.stdin)
    handler = {"sign": sign, "validate": validate, "token": token, "twiml": twiml}
    json.dump(handler[request["command"]](request), sys.stdout)


if __name__ == "__main__":
    main()
