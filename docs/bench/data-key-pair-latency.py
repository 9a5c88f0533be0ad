#!/usr/bin/env python3
"""GenerateDataKeyPair latency: N calls per RSA spec, one at a time, after one unmeasured call; prints p50/p99/mean ms."""
import os, sys, time, json, http.client, statistics
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "bench"))
from kmsreq import signed
endpoint, n = sys.argv[1], int(sys.argv[2]); specs = sys.argv[3].split(",")
host, port = endpoint.replace("http://", "").rstrip("/").split(":")
def call(target, body):
    req = signed(endpoint, target, body)
    c = http.client.HTTPConnection(host, int(port), timeout=120)
    c.request("POST", "/", body=req.body, headers=dict(req.headers.items()))
    r = c.getresponse(); data = r.read(); c.close()
    if r.status != 200: raise SystemExit(f"{target}: {r.status} {data[:200]}")
    return json.loads(data)
key = call("CreateKey", "{}")["KeyMetadata"]["KeyId"]
for spec in specs:
    body = json.dumps({"KeyId": key, "KeyPairSpec": spec})
    call("GenerateDataKeyPair", body)
    ms = []
    for _ in range(n):
        t = time.perf_counter(); call("GenerateDataKeyPair", body); ms.append((time.perf_counter() - t) * 1000)
    ms.sort()
    p99 = ms[min(len(ms) - 1, int(round(0.99 * len(ms) + 0.5)) - 1)]
    print(f"{spec}: n={n} p50={statistics.median(ms):.1f} p99={p99:.1f} mean={statistics.mean(ms):.1f} ms")
