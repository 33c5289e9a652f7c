#!/usr/bin/env bash
# The docs' own curl recipe, as a copy-paste user scripts it: the token request exactly as
# "Generate Service Account Token" shows it (seed 000), the token read with jq, the Admin API call
# with the tutorial's Bearer and Accept headers (seed 003), and, with REVOKE_AT_END=1, the
# revocation exactly as "Revoke Service Account Token" shows it (seed 002). Only the URLs and the
# {BASE64-AUTH} placeholder are filled in from the environment.
#
# The recipe is a pair, "get a token, then call the API"; the docs say nothing about keeping the
# token, so the script repeats the pair for every call: a NEW TOKEN PER CALL, as the tutorial's own
# Python script does. The recipe has no --fail either: curl exits 0 whatever the HTTP status, so
# the script "succeeds" as long as curl reaches the server and jq can parse the token response
# (an error body gives the token "null"). The only additions are bash's strict mode (set -euo
# pipefail), which a careful scripter adds, and the loop.
#
# Needs bash, curl, jq and GNU coreutils (base64 -w 0, fractional sleep). Run it after `--` of
# `oauth-conformance client`: bash examples/clients/curl-docs-recipe/client.sh
set -euo pipefail

calls=${CALLS:-1}
interval_ms=${CALL_INTERVAL_MS:-0}

# "your base64-encoded service account client ID and secret". -w 0: GNU base64 wraps its output
# at 76 columns, and an Atlas "id:secret" (85 characters) encodes to 116, so a plain `base64`
# would put a line break inside the header, which curl sends as is.
BASE64_AUTH=$(printf '%s:%s' "$MONGODB_ATLAS_CLIENT_ID" "$MONGODB_ATLAS_CLIENT_SECRET" | base64 -w 0)

get_token() {
  curl --request POST \
    --url "$OAUTH_TOKEN_URL" \
    --header 'accept: application/json' \
    --header 'cache-control: no-cache' \
    --header "authorization: Basic $BASE64_AUTH" \
    --header 'content-type: application/x-www-form-urlencoded' \
    --data 'grant_type=client_credentials' | jq -r '.access_token'
}

ACCESS_TOKEN=
for ((i = 1; i <= calls; i++)); do
  ACCESS_TOKEN=$(get_token)
  curl --request GET \
    --url "$RESOURCE_URL" \
    --header "Authorization: Bearer $ACCESS_TOKEN" \
    --header 'Accept: application/vnd.atlas.2023-01-01+json'
  echo
  if ((i < calls)); then
    sleep "$((interval_ms / 1000)).$(printf '%03d' $((interval_ms % 1000)))"
  fi
done

if [ "${REVOKE_AT_END:-0}" = 1 ]; then
  [ -n "$ACCESS_TOKEN" ] || ACCESS_TOKEN=$(get_token)
  curl -X POST "$OAUTH_REVOKE_URL" \
    -H "Content-Type: application/x-www-form-urlencoded" \
    -H "Authorization: Basic $BASE64_AUTH" \
    -d "token=$ACCESS_TOKEN&token_type_hint=access_token"
  echo revoked
fi
