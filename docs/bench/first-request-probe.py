#!/usr/bin/env python3
"""Send CreateKey to ENDPOINT as soon as it accepts connections; print each attempt's outcome (time since the first accepted connection, status or error) until one succeeds. Usage: first-request-probe.py ENDPOINT [SECONDS]"""
import sys, time, http.client, json, os
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "bench"))
from kmsreq import signed
endpoint = sys.argv[1]
host, port = endpoint.replace("http://", "").rstrip("/").split(":")
deadline = time.time() + float(sys.argv[2] if len(sys.argv) > 2 else 120)
t0 = time.time(); first_conn = None; log = []
while time.time() < deadline:
    req = signed(endpoint, "CreateKey", '{"Description":"probe"}')
    c = http.client.HTTPConnection(host, int(port), timeout=60)
    try:
        c.connect()
    except ConnectionRefusedError:
        time.sleep(0.005); continue
    if first_conn is None: first_conn = time.time()
    try:
        c.request("POST", "/", body=req.body, headers=dict(req.headers.items()))
        r = c.getresponse(); body = r.read().decode()
        log.append(f"{time.time()-first_conn:.3f}s status {r.status} {body[:160]}")
        if r.status == 200: break
    except Exception as e:
        log.append(f"{time.time()-first_conn:.3f}s {type(e).__name__}: {e}")
    finally:
        c.close()
    time.sleep(0.01)
print("\n".join(log))
