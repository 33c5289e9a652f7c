#!/usr/bin/env bash
# Runs oauth-conformance in CI, for the GitHub Action (action.yml) and the GitLab template
# (ci/gitlab/oauth-conformance.gitlab-ci.yml), so that both do exactly the same thing and the
# self-test (test/ci-templates.test.ts) runs this script as each of them does.
#
#   ci/oauth-conformance.sh            run the suite; inputs from the environment:
#     OC_TARGET       base URL, or container:IMAGE[:PORT]; empty: the embedded reference mock
#     OC_PROFILE      atlas | cloud-manager | rfc6749 (empty: atlas)
#     OC_CONFIG       config file (accounts, limits); empty: none
#     OC_ALLOW        allow file (expected deviations); empty: none (or the config's allow list)
#     OC_ALLOW_STALE  fail | warn (empty: fail)
#     OC_REPORTS      reports directory (empty: reports)
#     credentials as the CLI reads them: MONGODB_ATLAS_CLIENT_ID, MONGODB_ATLAS_CLIENT_SECRET
#   ci/oauth-conformance.sh merge DIR...   merge runs' reports into OC_REPORTS (empty: reports)
#
# The exit status is the CLI's: 0 conforming, 1 failures, 2 misconfigured job, 3 target not
# reachable. Inputs travel as environment variables, never spliced into this text, so no input
# can become shell code.
set -uo pipefail

home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cli=(node "$home/bin/oauth-conformance.js")
reports="${OC_REPORTS:-reports}"

if [ "${1:-}" = merge ]; then
  shift
  args=(merge "$@" --reports "$reports")
else
  args=(run --reports "$reports")
  [ -n "${OC_TARGET:-}" ] && args+=(--target "$OC_TARGET")
  [ -n "${OC_PROFILE:-}" ] && args+=(--profile "$OC_PROFILE")
  [ -n "${OC_CONFIG:-}" ] && args+=(--config "$OC_CONFIG")
  [ -n "${OC_ALLOW:-}" ] && args+=(--allow "$OC_ALLOW")
  [ -n "${OC_ALLOW_STALE:-}" ] && args+=(--allow-stale "$OC_ALLOW_STALE")
fi

# On GitHub, the output (which quotes what the target sent) must not be read as workflow
# commands: they are stopped, with a token nobody can guess, until the CLI is done.
github=false
[ "${GITHUB_ACTIONS:-}" = true ] && github=true
if $github; then
  stop="oc-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  echo "::stop-commands::$stop"
fi
"${cli[@]}" "${args[@]}"
status=$?
if $github; then
  echo "::$stop::"
  [ -n "${GITHUB_OUTPUT:-}" ] && echo "exit-code=$status" >>"$GITHUB_OUTPUT"
  case $status in
    1) echo "::error title=oauth-conformance::the target does not conform (see $reports/index.html)" ;;
    2) echo "::error title=oauth-conformance::the job is misconfigured (exit 2): see the line above" ;;
    3) echo "::error title=oauth-conformance::the target could not be tested (exit 3: unreachable, not HTTP, TLS, or the container did not start): an outage, not a conformance failure" ;;
  esac
fi
exit "$status"
