#!/bin/sh
# Builds the real conda packages in this directory with conda-package-handling's own
# `cph create` (Debian: conda-package-handling), from a prefix written here by hand.
# Run from this directory: sh make_fixtures.sh
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
p="$tmp/prefix"
mkdir -p "$p/info" "$p/site-packages/tiny"
printf '__version__ = "0.1.0"\n' > "$p/site-packages/tiny/__init__.py"
cat > "$p/info/index.json" <<'JSON'
{
  "arch": null,
  "build": "pyhd8ed1ab_0",
  "build_number": 0,
  "depends": [
    "python >=3.8"
  ],
  "license": "MIT",
  "license_family": "MIT",
  "name": "tiny",
  "noarch": "python",
  "platform": null,
  "subdir": "noarch",
  "timestamp": 1709150578093,
  "version": "0.1.0"
}
JSON
cat > "$p/info/about.json" <<'JSON'
{
  "home": "https://example.org/tiny",
  "license": "MIT",
  "summary": "A tiny test package"
}
JSON
cat > "$p/info/paths.json" <<'JSON'
{
  "paths": [
    {
      "_path": "site-packages/tiny/__init__.py",
      "path_type": "hardlink",
      "sha256": "SHA",
      "size_in_bytes": 22
    }
  ],
  "paths_version": 1
}
JSON
sha=$(sha256sum "$p/site-packages/tiny/__init__.py" | cut -d' ' -f1)
sed -i "s/SHA/$sha/" "$p/info/paths.json"
printf 'site-packages/tiny/__init__.py\n' > "$p/info/files"
for ext in conda tar.bz2; do
  rm -f "tiny-0.1.0-pyhd8ed1ab_0.$ext"
  cph create "$p" "tiny-0.1.0-pyhd8ed1ab_0.$ext" --out-folder .
done
