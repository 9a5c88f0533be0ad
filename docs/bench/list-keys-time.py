#!/usr/bin/env python3
"""Pages through ListKeys (Limit 1000) of the default test account, as a user would right after a silo starts, and
prints the time of each page and of the whole listing. Usage: list-keys-time.py http://127.0.0.1:PORT"""
import sys, time, boto3
kms = boto3.client("kms", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
start, marker, ids, pages = time.perf_counter(), None, [], []
while True:
    t = time.perf_counter()
    r = kms.list_keys(Limit=1000, **({"Marker": marker} if marker else {}))
    pages.append((time.perf_counter() - t) * 1000)
    ids += [k["KeyId"] for k in r["Keys"]]
    if not r.get("Truncated"): break
    marker = r["NextMarker"]
total = (time.perf_counter() - start) * 1000
assert ids == sorted(ids) and len(set(ids)) == len(ids), "not in order, or listed twice"
print(f"{len(ids)} keys in {len(pages)} pages: {total:.0f} ms; first page {pages[0]:.0f} ms, pages " + ", ".join(f"{p:.0f}" for p in pages))
