"""Service-account client that keeps the structure of MongoDB's Python tutorial.

get_access_token() fetches a token with requests-oauthlib (BackendApplicationClient, HTTP Basic
client authentication) and fetch_data() calls get_access_token() before every request, so this
client requests a NEW token for every resource call, exactly as the tutorial does.
Differences from the tutorial: URLs, call count and pause come from the environment, the token
can be revoked at the end (REVOKE_AT_END=1), and an error exits 1 instead of 0.

Run with Debian's interpreter and packages (never pip):
    /usr/bin/python3 examples/clients/python-requests-oauthlib/atlas_request.py
"""
import os
import sys
import time

from requests_oauthlib import OAuth2Session
from oauthlib.oauth2 import BackendApplicationClient
from requests.auth import HTTPBasicAuth
import requests

# Constants
token_url = os.environ["OAUTH_TOKEN_URL"]
revoke_url = os.environ.get("OAUTH_REVOKE_URL", "")
api_url = os.environ["RESOURCE_URL"]
client_id = os.environ["MONGODB_ATLAS_CLIENT_ID"]
client_secret = os.environ["MONGODB_ATLAS_CLIENT_SECRET"]
calls = int(os.environ.get("CALLS", "1"))
call_interval = int(os.environ.get("CALL_INTERVAL_MS", "0")) / 1000
revoke_at_end = os.environ.get("REVOKE_AT_END") == "1"

# oauthlib refuses plain http:// token URLs (InsecureTransportError). The local mock speaks
# http on loopback only, so allow it there and nowhere else.
if token_url.startswith(("http://127.0.0.1", "http://localhost", "http://[::1]")):
    os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"

last_access_token = None


def get_access_token():
    # Use BackendApplicationClient for the client credentials grant
    client = BackendApplicationClient(client_id=client_id)
    oauth = OAuth2Session(client=client)

    # Prepare Basic Auth credentials
    auth = HTTPBasicAuth(client_id, client_secret)

    # Fetch the token using the proper authentication
    token = oauth.fetch_token(token_url=token_url, auth=auth)
    return token['access_token']


def fetch_data():
    global last_access_token  # kept only for the revocation at the end
    access_token = get_access_token()
    last_access_token = access_token
    headers = {
        "Authorization": f"Bearer {access_token}",
        "Accept": "application/vnd.atlas.2023-01-01+json"
    }

    response = requests.get(api_url, headers=headers)
    response.raise_for_status()

    return response.json()


def revoke_token(access_token):
    response = requests.post(
        revoke_url,
        data={"token": access_token, "token_type_hint": "access_token"},
        auth=HTTPBasicAuth(client_id, client_secret),
    )
    if response.status_code != 200:
        raise RuntimeError(f"revocation answered {response.status_code}")


if __name__ == "__main__":
    try:
        for i in range(1, calls + 1):
            fetch_data()
            print(f"call {i}/{calls}: 200", flush=True)
            if i < calls:
                time.sleep(call_interval)
        if revoke_at_end:
            revoke_token(last_access_token or get_access_token())
            print("revoked", flush=True)
    except Exception as e:
        # Exception texts of requests/oauthlib name URLs and statuses, not headers or tokens.
        print(f"Error: {e}", file=sys.stderr)
        sys.exit(1)
