"""Writes shards-linux-64/: conda-forge-linux-64.json as CEP 16 sharded repodata, with the
Python msgpack and zstandard libraries (Debian: python3-msgpack, python3-zstandard), so
that the Go decoder is tested against another implementation's bytes.

Run from this directory: python3 gen_shards.py
"""
import collections, hashlib, json, os, shutil

import msgpack
import zstandard

repodata = json.load(open("conda-forge-linux-64.json"))
out = "shards-linux-64"
shutil.rmtree(out, ignore_errors=True)
os.makedirs(os.path.join(out, "shards"))

def pack_record(record):
    record = dict(record)
    for key in ("md5", "sha256"):
        if record.get(key):
            record[key] = bytes.fromhex(record[key])
    return record

shards = collections.defaultdict(lambda: {"packages": {}, "packages.conda": {}, "removed": []})
for group in ("packages", "packages.conda"):
    for fn, record in repodata[group].items():
        shards[record["name"]][group][fn] = pack_record(record)
for fn in repodata["removed"]:
    name = fn.rsplit("-", 2)[0]
    if name in shards:
        shards[name]["removed"].append(fn)

cctx = zstandard.ZstdCompressor(level=16)
index = {"version": 1, "info": {"base_url": "", "shards_base_url": "./shards/", "subdir": "linux-64", "created_at": "2024-10-08T12:00:00Z", "unknown_key": 1}, "shards": {}}
for name, shard in sorted(shards.items()):
    data = cctx.compress(msgpack.packb(shard, use_bin_type=True))
    digest = hashlib.sha256(data).digest()
    index["shards"][name] = digest
    with open(os.path.join(out, "shards", digest.hex() + ".msgpack.zst"), "wb") as f:
        f.write(data)
with open(os.path.join(out, "repodata_shards.msgpack.zst"), "wb") as f:
    f.write(cctx.compress(msgpack.packb(index, use_bin_type=True)))
