#!/usr/bin/env python3
"""Validates OSCAL JSON documents against NIST's OSCAL 1.1.2 JSON schemas.

    python3 validate.py <assessment-results|poam> <file.json> [<file.json> ...]

Prints every schema error with its JSON path and exits 1 when any document is invalid, 2 when the
validator cannot run (missing package, unknown kind, unreadable file), 0 when all are valid.

The schemas are NIST's release files for OSCAL v1.1.2, read from the support database shipped in
the PyPI package `oscal` 2.0.0 (see README.md): nothing is fetched, and each schema's SHA-256 is
checked against NIST's release file before use.

NIST's schemas are JSON Schema draft-07 written for ECMAScript regular expressions (`\\p{L}` and
friends, which Python's `re` lacks). The `pattern` keyword is therefore checked with the `regex`
module, after two ECMAScript rules Python does not share are restored: `$` at the end matches only
at the very end (not before a final newline), and `.` matches no line terminator (\\n, \\r, U+2028,
U+2029). Formats (`date-time`, `uri`, `uri-reference`, `email`) are checked too.
"""

import hashlib
import importlib.metadata
import json
import sqlite3
import sys
import tempfile
import zipfile
from pathlib import Path

SUPPORT_PACKAGE = "oscal"
SUPPORT_VERSION = "2.0.0"
SUPPORT_ARCHIVE = "oscal/data/oscal_support.zip"
OSCAL_RELEASE = "v1.1.2"
OSCAL_VERSION = "1.1.2"

# kind -> (the model's name in the support database, the document's root key, the SHA-256 of
# NIST's release file oscal_<...>_schema.json for v1.1.2).
KINDS = {
    "assessment-results": (
        "assessment-results",
        "assessment-results",
        "d033da70154cf6625ae46a746199e88e58f2928b1387dfac051d381b92f41b0d",
    ),
    "poam": (
        "plan-of-action-and-milestones",
        "plan-of-action-and-milestones",
        "906725163d767036c6189aec51252109b203214e121fc1acaff494b4d2dfbc04",
    ),
}


def setup_error(message):
    print(f"validate.py: {message}", file=sys.stderr)
    sys.exit(2)


try:
    import regex
    from jsonschema import Draft7Validator, FormatChecker, validators
    from jsonschema.exceptions import ValidationError
except ImportError as e:  # pragma: no cover - a setup problem, not a validation result
    setup_error(f"{e}; install server/tests/oscal/requirements.txt (see README.md)")


def load_schema(model, sha256):
    """NIST's JSON schema for `model`, from the installed support package."""
    try:
        dist = importlib.metadata.distribution(SUPPORT_PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        setup_error(f"the PyPI package {SUPPORT_PACKAGE}=={SUPPORT_VERSION} is not installed")
    if dist.version != SUPPORT_VERSION:
        setup_error(f"{SUPPORT_PACKAGE} {dist.version} is installed; {SUPPORT_VERSION} is pinned")
    archive = Path(dist.locate_file(SUPPORT_ARCHIVE))
    if not archive.is_file():
        setup_error(f"{archive} is missing from {SUPPORT_PACKAGE} {dist.version}")
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(archive) as z:
            z.extract("oscal_support.db", tmp)
        db = sqlite3.connect(Path(tmp) / "oscal_support.db")
        try:
            rows = db.execute(
                "SELECT f.filename, f.content FROM oscal_support s "
                "JOIN filecache f ON f.uuid = s.filecache_uuid "
                "WHERE s.version = ? AND s.type = 'json-schema' AND s.model = ?",
                (OSCAL_RELEASE, model),
            ).fetchall()
        finally:
            db.close()
    if len(rows) != 1:
        setup_error(f"no single {OSCAL_RELEASE} JSON schema for {model} in {archive}")
    filename, content = rows[0]
    if isinstance(content, str):
        content = content.encode("utf-8")
    digest = hashlib.sha256(content).hexdigest()
    if digest != sha256:
        setup_error(f"{filename} ({OSCAL_RELEASE}) has SHA-256 {digest}, not NIST's {sha256}")
    return json.loads(content)


def ecmascript(pattern):
    """`pattern` (ECMAScript) for the `regex` module: a final `$` matches only at the very end and
    `.` outside a class matches no line terminator."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = c != "]"
            out.append(c)
        elif c == "[":
            in_class = True
            out.append(c)
        elif c == ".":
            out.append("[^\\n\\r\\u2028\\u2029]")
        elif c == "$" and i == len(pattern) - 1:
            out.append("\\Z")
        else:
            out.append(c)
        i += 1
    return "".join(out)


_compiled = {}


def pattern_keyword(validator, pattern, instance, schema):
    if not validator.is_type(instance, "string"):
        return
    compiled = _compiled.get(pattern)
    if compiled is None:
        compiled = _compiled[pattern] = regex.compile(ecmascript(pattern))
    if not compiled.search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


OscalValidator = validators.extend(Draft7Validator, {"pattern": pattern_keyword})

# Draft-07's formats, with `regex` (used when checking the schema itself) read as ECMAScript too.
FORMATS = FormatChecker(formats=())
FORMATS.checkers = dict(Draft7Validator.FORMAT_CHECKER.checkers)


@FORMATS.checks("regex", raises=regex.error)
def is_ecmascript_regex(instance):
    return not isinstance(instance, str) or bool(regex.compile(ecmascript(instance)))


def errors(schema, document, root):
    """Every error in `document`, as (JSON path, message) pairs."""
    found = []
    validator = OscalValidator(schema, format_checker=FORMATS)
    for e in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path))):
        message = e.message if len(e.message) < 400 else e.message[:400] + "…"
        found.append((e.json_path, message))
        # anyOf / allOf: say which branches failed and why.
        for sub in sorted(e.context or [], key=lambda s: list(map(str, s.absolute_path))):
            found.append((sub.json_path, f"  (in {e.validator}) {sub.message[:400]}"))
    if isinstance(document, dict) and root in document:
        version = (document[root].get("metadata") or {}).get("oscal-version")
        if version != OSCAL_VERSION:
            found.append(
                (f"$.{root}.metadata.oscal-version", f"{version!r} is not {OSCAL_VERSION!r}")
            )
    elif isinstance(document, dict):
        found.append(("$", f"the root is not {root!r}: {sorted(document)}"))
    return found


def main(argv):
    if len(argv) < 3 or argv[1] not in KINDS:
        setup_error(f"usage: validate.py <{'|'.join(KINDS)}> <file.json> [<file.json> ...]")
    for needed in ("date-time", "uri", "uri-reference", "email"):
        if needed not in FORMATS.checkers:
            setup_error(f"the format {needed!r} cannot be checked: install requirements.txt")
    model, root, sha256 = KINDS[argv[1]]
    schema = load_schema(model, sha256)
    meta = Draft7Validator(Draft7Validator.META_SCHEMA, format_checker=FORMATS)
    for e in meta.iter_errors(schema):
        setup_error(f"the {model} schema is not valid draft-07: {e.message}")
    invalid = 0
    for name in argv[2:]:
        try:
            document = json.loads(Path(name).read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            setup_error(f"{name}: {e}")
        found = errors(schema, document, root)
        if found:
            invalid += 1
            print(f"{name}: INVALID against NIST OSCAL {OSCAL_VERSION} {model} ({len(found)} errors)")
            for path, message in found:
                print(f"  {path}: {message}")
        else:
            print(f"{name}: valid against NIST OSCAL {OSCAL_VERSION} {model}")
    return 1 if invalid else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
