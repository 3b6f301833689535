#!/usr/bin/env python3
"""E-cards: a small template service that keeps its files in Kelp, through its sidecar.

An app developer's view of Kelp: the agent listens on the pod's loopback, and this service
only ever talks to it over plain HTTP (no S3 SDK, no credentials, no fallback logic of its
own). Templates are JSON in bucket `templates`; background images are bytes in bucket
`backgrounds`, sent in parts when they are large, and shared through signed URLs.

    KELP_AGENT_URL   the sidecar (default http://127.0.0.1:8780)
    ECARDS_PORT      where this service listens (default 8080)
    ECARDS_PART_SIZE images larger than this go up as a multipart upload (default 8 MiB)

Routes:
    PUT  /templates/<name>          JSON body: store a card template
    GET  /templates/<name>          read it back
    GET  /templates                 list template names
    PUT  /backgrounds/<name>        image body (Content-Type image/*): store a background
    GET  /backgrounds/<name>        read it back
    GET  /backgrounds/<name>/link   a signed URL for the image, valid 15 minutes: in FULL mode an S3
                                    presigned URL to SeaweedFS, otherwise the agent's own (HMAC), which
                                    only reaches as far as the agent does
    GET  /healthz                   200 while the sidecar answers; its mode in the body
"""
import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

AGENT = os.environ.get("KELP_AGENT_URL", "http://127.0.0.1:8780").rstrip("/")
PORT = int(os.environ.get("ECARDS_PORT", "8080"))
PART_SIZE = int(os.environ.get("ECARDS_PART_SIZE", str(8 * 1024 * 1024)))
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")


class AgentError(Exception):
    def __init__(self, status, body):
        super().__init__(f"agent answered {status}: {body}")
        self.status, self.body = status, body


def agent(method, path, body=None, headers=None):
    """One request to the sidecar; returns (status, headers, body bytes)."""
    request = urllib.request.Request(AGENT + path, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as e:
        raise AgentError(e.code, e.read().decode("utf-8", "replace")) from None


def object_path(bucket, key):
    return f"/v1/objects/{bucket}/{urllib.parse.quote(key)}"


def put_large(bucket, key, content_type, data):
    """A multipart upload: start, send each part, complete with the parts' ETags."""
    _, _, started = agent("POST", f"/v1/uploads/{bucket}/{urllib.parse.quote(key)}", b"",
                          {"Content-Type": content_type})
    upload = json.loads(started)["uploadId"]
    parts = []
    for number, offset in enumerate(range(0, len(data), PART_SIZE), start=1):
        _, _, sent = agent("PUT", f"/v1/uploads/{upload}/parts/{number}", data[offset:offset + PART_SIZE])
        parts.append({"partNumber": number, "etag": json.loads(sent)["etag"]})
    _, _, stored = agent("POST", f"/v1/uploads/{upload}/complete", json.dumps(parts).encode(),
                         {"Content-Type": "application/json"})
    return json.loads(stored)


class Handler(BaseHTTPRequestHandler):
    server_version = "ecards/1"

    def do_GET(self):
        self.route("GET")

    def do_PUT(self):
        self.route("PUT")

    def route(self, method):
        parts = [p for p in self.path.split("?")[0].split("/") if p]
        try:
            if parts == ["healthz"]:
                _, _, mode = agent("GET", "/v1/mode")
                return self.reply(200, "application/json", mode)
            if parts == ["templates"] and method == "GET":
                _, _, listing = agent("GET", "/v1/objects/templates?prefix=cards/")
                names = [o["key"][len("cards/"):-len(".json")] for o in json.loads(listing)["objects"]]
                return self.reply(200, "application/json", json.dumps({"templates": names}).encode())
            if len(parts) >= 2 and parts[0] in ("templates", "backgrounds") and not NAME.match(parts[1]):
                return self.reply(400, "text/plain", b"names are 1-100 of a-z 0-9 . _ -\n")
            if len(parts) == 2 and parts[0] == "templates":
                key = object_path("templates", f"cards/{parts[1]}.json")
                if method == "PUT":
                    body = self.body()
                    json.loads(body)  # a template is JSON; refuse anything else here, not in storage
                    _, _, stored = agent("PUT", key, body, {"Content-Type": "application/json"})
                    return self.reply(201, "application/json", stored)
                _, _, template = agent("GET", key)
                return self.reply(200, "application/json", template)
            if len(parts) == 2 and parts[0] == "backgrounds":
                key = f"images/{parts[1]}"
                if method == "PUT":
                    content_type = self.headers.get("Content-Type", "")
                    if not content_type.startswith("image/"):
                        return self.reply(415, "text/plain", b"a background is an image/* body\n")
                    data = self.body()
                    if len(data) > PART_SIZE:
                        stored = put_large("backgrounds", key, content_type, data)
                    else:
                        _, _, raw = agent("PUT", object_path("backgrounds", key), data, {"Content-Type": content_type})
                        stored = json.loads(raw)
                    return self.reply(201, "application/json", json.dumps(stored).encode())
                _, headers, image = agent("GET", object_path("backgrounds", key))
                return self.reply(200, headers.get("Content-Type", "application/octet-stream"), image)
            if len(parts) == 3 and parts[0] == "backgrounds" and parts[2] == "link":
                ask = {"bucket": "backgrounds", "key": f"images/{parts[1]}", "method": "GET", "expiresInSeconds": 900}
                _, _, link = agent("POST", "/v1/signed-urls", json.dumps(ask).encode(), {"Content-Type": "application/json"})
                return self.reply(200, "application/json", link)
            return self.reply(404, "text/plain", b"no such route\n")
        except ValueError:
            return self.reply(400, "text/plain", b"a template is a JSON document\n")
        except AgentError as e:
            # The agent's own answer (404 NoSuchKey, 413, 507 QuotaExceeded, ...) passes through as is.
            return self.reply(e.status, "application/json", e.body.encode())
        except OSError as e:
            return self.reply(503, "text/plain", f"the storage sidecar is not reachable: {e}\n".encode())

    def body(self):
        return self.rfile.read(int(self.headers.get("Content-Length", "0")))

    def reply(self, status, content_type, body):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        # This server answers one request per connection (HTTP/1.0, and some replies leave the
        # request body unread); say so, or a pooling client (the JDK's HttpClient) reuses the
        # socket we are closing and a PUT fails with no response.
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        sys.stderr.write("ecards: " + (fmt % args) + "\n")


if __name__ == "__main__":
    print(f"ecards listening on :{PORT}, storing through {AGENT}", flush=True)
    ThreadingHTTPServer(("0.0.0.0", PORT), Handler).serve_forever()
