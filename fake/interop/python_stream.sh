#!/usr/bin/env bash
# Proves the fake's Stream gateway speaks the protocol of the official Python SDK
# (PyPI `dingtalk-stream`): starts the `stream_gateway` example (a fake with a robot message and
# an event queued), installs the SDK in a throwaway venv, lets `python_stream.py` receive both,
# reply through the robot's session webhook and ack them, and checks that the fake recorded the
# acks and the reply. Needs cargo, python3 with venv, and access to PyPI.
#
# Usage: fake/interop/python_stream.sh   (from anywhere; CARGO_TARGET_DIR is honoured)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$(mktemp -d)"
fake_pid=""
cleanup() {
    if [[ -n "$fake_pid" ]] && kill -0 "$fake_pid" 2>/dev/null; then
        kill "$fake_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

echo "== building the fake's stream_gateway example" >&2
# The gateway, the robot message and the event need no operation area: built without the fake's
# `full` feature the client holds only the default areas (seconds, not minutes, of compiling).
(cd "$root" && cargo build --quiet -p dingtalk-openapi-fake --no-default-features \
    --example stream_gateway)
target="${CARGO_TARGET_DIR:-$root/target}"
example="$target/debug/examples/stream_gateway"

echo "== installing the official SDK in a venv" >&2
python3 -m venv "$work/venv"
# Pinned so that a run is reproducible; set DINGTALK_STREAM_SDK to try another release.
"$work/venv/bin/pip" install --quiet --disable-pip-version-check \
    "dingtalk-stream==${DINGTALK_STREAM_SDK:-0.24.3}"
"$work/venv/bin/pip" show dingtalk-stream websockets 2>/dev/null | grep -E '^(Name|Version):' >&2

echo "== starting the fake" >&2
STREAM_WAIT_SECONDS=60 "$example" >"$work/fake.out" 2>"$work/fake.err" &
fake_pid=$!
for _ in $(seq 1 100); do
    grep -q '^APP_SECRET=' "$work/fake.out" 2>/dev/null && break
    sleep 0.1
done
base_url="$(sed -n 's/^BASE_URL=//p' "$work/fake.out")"
app_key="$(sed -n 's/^APP_KEY=//p' "$work/fake.out")"
app_secret="$(sed -n 's/^APP_SECRET=//p' "$work/fake.out")"
[[ -n "$base_url" ]] || { cat "$work/fake.err" >&2; echo "the fake did not start" >&2; exit 1; }
echo "fake at $base_url" >&2

echo "== running the SDK" >&2
status=0
"$work/venv/bin/python" "$here/python_stream.py" "$base_url" "$app_key" "$app_secret" \
    2>"$work/sdk.err" || status=$?
if [[ $status -ne 0 ]]; then
    echo "the SDK client failed ($status); its log:" >&2
    tail -n 40 "$work/sdk.err" >&2
fi

echo "== what the fake recorded" >&2
fake_status=0
wait "$fake_pid" || fake_status=$?
fake_pid=""
grep -E '^(ACK|REPLY|OPEN) ' "$work/fake.out" || true
if [[ $status -ne 0 || $fake_status -ne 0 ]]; then
    cat "$work/fake.err" >&2
    echo "FAILED (sdk=$status, fake=$fake_status)" >&2
    exit 1
fi
grep -q '"clientSecret":"<redacted>"' "$work/fake.out" || { echo "the secret was not redacted" >&2; exit 1; }
echo "OK: the official Python SDK received both messages, replied and acked them" >&2
