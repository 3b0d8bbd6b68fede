"""Schemathesis hooks for the consent ledger (scripts/schemathesis/run.sh loads them with SCHEMATHESIS_HOOKS).

The trust boundary's promise: a rejected request appends nothing. Checked per call: before every request the store's
head (ledger_event_store_head_position, from /metrics with the audit key) is read, and after a 4xx it is read again;
a different head fails the `rejected_request_appends_nothing` check for that very case. The run uses one worker, so
no other request is in flight between the two reads.

Also counts requests and statuses per role into LEDGER_ST_STATS (JSON) for run.sh's summary.
"""

import atexit
import json
import os
import re
import urllib.request
from collections import Counter

import schemathesis

BASE_URL = os.environ["LEDGER_ST_BASE_URL"]
AUDIT_SECRET = os.environ["LEDGER_ST_AUDIT_SECRET"]
STATS_FILE = os.environ.get("LEDGER_ST_STATS")
HEAD = re.compile(r"^ledger_event_store_head_position (-?\d+)", re.MULTILINE)

_before: dict[int, int] = {}
_appended_on_rejection: dict[int, tuple[int, int]] = {}
_statuses: Counter = Counter()
_rejections_checked = 0


def store_head() -> int:
    request = urllib.request.Request(BASE_URL + "/metrics", headers={"Authorization": f"Bearer {AUDIT_SECRET}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        match = HEAD.search(response.read().decode())
    if match is None:
        raise RuntimeError("/metrics has no ledger_event_store_head_position")
    return int(match.group(1))


UNKNOWN_HEADER = "x-schemathesis-unknown-property"


@schemathesis.hook
def filter_headers(context, headers):
    # Negative generation adds an undeclared header and expects a rejection, but RFC 9110 section 5.1 has a recipient
    # ignore header fields it does not know, so no server may reject one. Such header sets are not generated.
    return not any(name.lower() == UNKNOWN_HEADER for name in (headers or {}))


@schemathesis.hook
def before_call(context, case, kwargs):
    # The revocation feed documents "Last-Event-ID wins": with the header sent, `after` is not read at all, so a
    # malformed `after` beside it is not an input the service sees. Dropping it lets Schemathesis judge what counts.
    if case.operation.path == "/v1/revocations/stream" and case.headers and "Last-Event-ID" in case.headers and case.query:
        case.query.pop("after", None)
    _before[id(case)] = store_head()


@schemathesis.hook
def after_call(context, case, response):
    global _rejections_checked
    _statuses[response.status_code] += 1
    before = _before.pop(id(case), None)
    if before is not None and 400 <= response.status_code < 500:
        _rejections_checked += 1
        after = store_head()
        if after != before:
            _appended_on_rejection[id(case)] = (before, after)


@schemathesis.check
def rejected_request_appends_nothing(ctx, response, case):
    """A request the service refused (4xx) must leave the event log as it was."""
    moved = _appended_on_rejection.pop(id(case), None)
    if moved is not None:
        raise AssertionError(f"{response.status_code} answer, yet the store's head moved from {moved[0]} to {moved[1]}")


@atexit.register
def _write_stats():
    if STATS_FILE:
        with open(STATS_FILE, "w") as out:
            json.dump({"requests": sum(_statuses.values()), "statuses": dict(sorted(_statuses.items())), "rejections_checked": _rejections_checked}, out)
