"""Service-account client on Authlib's requests integration: its client-credentials session.

An OAuth2Session with client_secret_basic, the token endpoint and grant_type client_credentials,
as Authlib's docs configure it: fetch_token() gets the first token and the session fetches a new
one by itself once the token's expires_at has passed. Authlib does nothing on a 401; like the
tutorial advises, this program then fetches a new token and retries that call once. With
REVOKE_AT_END=1 it revokes the token with the session's revoke_token() (RFC 7009).

Run with Debian's interpreter and packages (python3-authlib, python3-requests), never pip:
    /usr/bin/python3 examples/clients/python-authlib/client.py
"""
import os
import sys
import time

from authlib.integrations.requests_client import OAuth2Session

token_url = os.environ["OAUTH_TOKEN_URL"]
revoke_url = os.environ.get("OAUTH_REVOKE_URL", "")
api_url = os.environ["RESOURCE_URL"]
calls = int(os.environ.get("CALLS", "1"))
call_interval = int(os.environ.get("CALL_INTERVAL_MS", "0")) / 1000
revoke_at_end = os.environ.get("REVOKE_AT_END") == "1"

# Authlib refuses plain http:// endpoints (InsecureTransportError) other than http://localhost:.
# The local mock speaks http on loopback only, so allow it there and nowhere else.
if token_url.startswith(("http://127.0.0.1", "http://localhost", "http://[::1]")):
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"

session = OAuth2Session(
    os.environ["MONGODB_ATLAS_CLIENT_ID"],
    os.environ["MONGODB_ATLAS_CLIENT_SECRET"],
    token_endpoint_auth_method="client_secret_basic",
    token_endpoint=token_url,
    grant_type="client_credentials",
)
headers = {"Accept": "application/vnd.atlas.2023-01-01+json"}


def call_resource():
    response = session.get(api_url, headers=headers)
    if response.status_code == 401:
        session.fetch_token(token_url)
        response = session.get(api_url, headers=headers)
    return response.status_code


def main():
    session.fetch_token(token_url)
    for i in range(1, calls + 1):
        status = call_resource()
        print(f"call {i}/{calls}: {status}", flush=True)
        if status != 200:
            raise RuntimeError(f"call {i}/{calls} answered {status}")
        if i < calls:
            time.sleep(call_interval)
    if revoke_at_end:
        response = session.revoke_token(revoke_url, token_type_hint="access_token")
        if response.status_code != 200:
            raise RuntimeError(f"revocation answered {response.status_code}")
        print("revoked", flush=True)


if __name__ == "__main__":
    try:
        main()
    except Exception as e:
        # Authlib's OAuthError texts carry the endpoint's error code and description; requests'
        # name URLs and statuses: neither holds a header or a token.
        print(f"Error: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
