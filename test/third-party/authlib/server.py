"""Authlib's authorization server as a third-party target for the rfc6749 profile.

A Flask app wired the way Authlib's documentation wires one: a client credentials grant with
client_secret_basic, Authlib's RFC 7009 revocation endpoint, and a Bearer-protected resource
behind Authlib's ResourceProtector (the suite's resource probe). Clients and tokens are kept in
memory. Everything OAuth is Authlib's; this file only supplies the storage Authlib leaves to the
application (query_client, save_token, query_token, revoke_token, authenticate_token).

Usage: server.py PORT   (0 picks a free port). The clients come as JSON on stdin,
{"clients": [{"client_id": ..., "client_secret": ...}, ...]}, so that no secret is on a command
line. It listens on 127.0.0.1 and prints one line, "listening on http://127.0.0.1:<port>", once
it accepts connections; it logs nothing else and stops on SIGTERM.
"""

import hmac
import json
import logging
import os
import signal
import sys
import threading
import time

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2.rfc6749 import ClientMixin, TokenMixin, grants
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7009 import RevocationEndpoint
from flask import Flask, jsonify
from werkzeug.serving import make_server

TOKEN_PATH = "/oauth/token"
REVOKE_PATH = "/oauth/revoke"
PROBE_PATH = "/api/resource"
TOKEN_LIFETIME_SECONDS = 3600


class Client(ClientMixin):
    def __init__(self, client_id, client_secret):
        self.client_id = client_id
        self.client_secret = client_secret

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return None

    def get_allowed_scope(self, scope):
        return scope or ""

    def check_redirect_uri(self, redirect_uri):
        return False

    def check_client_secret(self, client_secret):
        return hmac.compare_digest(self.client_secret.encode(), client_secret.encode())

    def check_endpoint_auth_method(self, method, endpoint):
        return method == "client_secret_basic"

    def check_response_type(self, response_type):
        return False

    def check_grant_type(self, grant_type):
        return grant_type == "client_credentials"


class Token(TokenMixin):
    def __init__(self, client_id, fields):
        self.client_id = client_id
        self.access_token = fields["access_token"]
        self.scope = fields.get("scope", "")
        self.expires_in = fields["expires_in"]
        self.issued_at = time.time()
        self.revoked = False

    def check_client(self, client):
        return client.get_client_id() == self.client_id

    def get_scope(self):
        return self.scope

    def get_expires_in(self):
        return self.expires_in

    def is_expired(self):
        return time.time() >= self.issued_at + self.expires_in

    def is_revoked(self):
        return self.revoked


def create_app(clients):
    tokens = {}
    lock = threading.Lock()

    def query_client(client_id):
        return clients.get(client_id)

    def save_token(fields, request):
        with lock:
            tokens[fields["access_token"]] = Token(request.client.get_client_id(), fields)

    def find_token(token_string):
        with lock:
            return tokens.get(token_string)

    class ClientCredentialsGrant(grants.ClientCredentialsGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic"]

    class Revocation(RevocationEndpoint):
        CLIENT_AUTH_METHODS = ["client_secret_basic"]

        def query_token(self, token_string, token_type_hint):
            return find_token(token_string)

        def revoke_token(self, token, request):
            with lock:
                token.revoked = True

    class Bearer(BearerTokenValidator):
        def authenticate_token(self, token_string):
            return find_token(token_string)

    app = Flask(__name__)
    app.config["OAUTH2_TOKEN_EXPIRES_IN"] = {"client_credentials": TOKEN_LIFETIME_SECONDS}
    server = AuthorizationServer(app, query_client=query_client, save_token=save_token)
    server.register_grant(ClientCredentialsGrant)
    server.register_endpoint(Revocation)
    require_oauth = ResourceProtector()
    require_oauth.register_token_validator(Bearer())

    @app.route(TOKEN_PATH, methods=["POST"])
    def issue_token():
        return server.create_token_response()

    @app.route(REVOKE_PATH, methods=["POST"])
    def revoke_token():
        return server.create_endpoint_response(Revocation.ENDPOINT_NAME)

    @app.route(PROBE_PATH)
    @require_oauth()
    def resource():
        return jsonify(ok=True)

    return app


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    given = json.load(sys.stdin)["clients"]
    clients = {c["client_id"]: Client(c["client_id"], c["client_secret"]) for c in given}
    # Quiet: no request log, no banner.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    httpd = make_server("127.0.0.1", port, create_app(clients), threaded=True)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=httpd.shutdown).start())
    print(f"listening on http://127.0.0.1:{httpd.server_port}", flush=True)
    httpd.serve_forever()


if __name__ == "__main__":
    # Authlib refuses plain http unless told this is a development setup; the server binds
    # 127.0.0.1 only.
    os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")
    main()
