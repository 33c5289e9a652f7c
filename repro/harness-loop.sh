#!/bin/bash
# Runs the client harness N times on one scenario with one program and prints each verdict of
# the judgements named. Usage: repro/harness-loop.sh N SCENARIO SEED -- program args...
n=$1; scenario=$2; seed=$3; shift 4
cd "$(dirname "$0")/.."
for i in $(seq 1 "$n"); do
  dir=$(mktemp -d /tmp/hb-harness-XXXX)
  node bin/oauth-conformance.js client --scenario "$scenario" --seed "$seed" --reports "$dir" -- "$@" > "$dir/out" 2>&1
  rc=$?
  verdicts=$(grep -E '^\s+[✓✗!-] client\.' "$dir/out" | grep -vE 'basic-auth|raw-client-id|form-body|no-credentials|bearer-issued|bounded' | sed -E 's/^\s+//' | cut -c1-260 | tr '\n' '|')
  waits=$(grep -oE 'waiting [0-9]+ ms' "$dir/out" | tr '\n' ' ')
  echo "run $i rc=$rc $waits :: $verdicts"
done
