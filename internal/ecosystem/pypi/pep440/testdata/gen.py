#!/usr/bin/env python3
"""Generate the pep440 test fixtures from Python's `packaging` library.

Run from this directory:

    python3 gen.py

It uses the copy of `packaging` that pip vendors (pip._vendor.packaging), falling
back to a standalone `packaging` install. Every expectation in versions.json and
specifiers.json is computed here by packaging itself; nothing is written by hand.

Legacy behaviour is left out on purpose: packaging 21.x still falls back to
LegacyVersion / LegacySpecifier for strings that are not PEP 440, newer releases
raise instead. A version is "valid" when packaging.version.Version accepts it; a
specifier set is "valid" when every comma-separated clause is accepted by the
strict packaging.specifiers.Specifier class.
"""

import itertools
import json
import os
import sys
import warnings

warnings.simplefilter("ignore")

try:
    from pip._vendor.packaging import __version__ as PACKAGING_VERSION
    from pip._vendor.packaging.specifiers import InvalidSpecifier, Specifier, SpecifierSet
    from pip._vendor.packaging.version import InvalidVersion, Version
except ImportError:  # pragma: no cover
    from packaging import __version__ as PACKAGING_VERSION
    from packaging.specifiers import InvalidSpecifier, Specifier, SpecifierSet
    from packaging.version import InvalidVersion, Version

HERE = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------------------
# Version corpus
# ---------------------------------------------------------------------------

REAL_WORLD = """
1.26.4 2.0.0rc1 2.0.0b1 1.25.0rc1 1.9.3 1.16.6 1.21.0rc2 2.1.0.dev0 1.3.0 2.0.0
1.13.0rc1 0.19.1 1.11.4 0.7.2 2.2.1 0.25.3 1.0.0rc0 2.0.0rc1 3.0.0.dev0+1029.g7b3bed9
2.2.1+cu121 2.3.0.dev20240301+cpu 1.13.1+cu117 2.16.1 2.16.0rc0 1.15.5
0.4.25+cuda12.cudnn89 5.0.3 5.0a1 5.0b1 5.0rc1 4.2.11 1.11.29 1.4.22 1.0.4 0.96.5
5.1.dev20240301 2.31.0 2.0.0 0.2.0 2.32.0 2.2.1 1.26.18 2.0.0a1 2.0.0a4 1.34.69
23.2.0 24.0 23.3.2 9.0.3 1.5.6 0.2 0.43.0 0.37.1 1.16.0 2024.2.2 2017.11.5 1.16.0
3.6 2.10 5.2.0 3.0.10 3.0.0a11 3.0.0b3 0.29.37 0.29.37.1 8.1.1 8.0.0rc2 7.0.0.dev0
5.1.0 10.2.0 9.5.0 2.9.0 3.8.3 3.9.0rc2 3.8.0b1 2.2.5 1.12 1.13.0rc1 1.0 5.9.8
0.0.1 0.0.0.dev0 2024.3.1 2023.12.2 8.22.2 8.0.0b1 7.1.2 7.0.0a18 4.1.5 4.0.0rc1
4.2.0b0 2.0.28 2.0.0b4 1.4.52 2.0.0rc3 2.6.4 2.0b3 2.0a4 1.10.14 0.110.0 0.0.1a0
4.66.2 1.8.2 1.2.0a2 24.3.0 22.1.0 19.10b0 18.3a0 18.9b0 1.9.0 0.991 1.0.0+dev.abc123
4.10.0 4.6.0rc1 3.7.4.3 2.8.2 2.9.0.post0 6.2 4.7.2 20.0.0 20.0.0b2 0.23.0.post1
1.0.0.post1.dev0 1.0.post1 5.1.0 0.4.6 0.1.dev0 1.3.7 2.0.0.dev0+g1234567
1.0.0+local.version.label 3.1.3 2.11.3 3.0.0a1 3.0.0rc2 2.1.5 8.1.7 8.0.0a1 3.0.2
0.12.5 0.21.post1 0.18.1 0.21rc1 69.5.1 68.0.0 18.0.1 0.9.8 0.6c11 0.6c9 0.6.49
0.6c12dev-r88846 0.7a1dev-r66608 0.6b1 0.6a11 2023.3.post1 2023.3 2024.1 2016.10
2013d 2013b 2012j 2010o 2005r 2004b 2006p 2009u 2011k 1.0.dev456 1.0a1.dev1 1.0+abc.5
1!1.0 1!0.0.1 2!1.0 306 228 1.62.0 4.25.3 3.20.0rc2 5.26.0rc3 42.0.5 6.0.1 5.4.1
3.10 3.11 0.0.0 0 00 1.0.0-alpha.1 0.1.0-alpha.1 1.0.0-beta 2.0.0-rc.1 1.0.0-SNAPSHOT
1.0.0.final 1.0-SNAPSHOT dev 1.0.0+20130313144700 2.1.0+cpu 1.7.1+cu110 0.1.0+git.abcdef
1.0.0-rc1-1 1.0.0rc1.post1 2.0.0.dev20231010 1.0.0-20190101 2019.1 19.1 20.2b1
1.0.0.dev1+g3e1f2a4.d20240101 0.1.dev1+g1a2b3c4 7.0.0.post1.dev7+g1234abc 4.0.0.dev0
0.4.0.dev0+3b1a2c4 1.2.3+ubuntu.1 1.2.3+ubuntu1 2.7.18+deb10u1 1.0+dfsg 1.0+dfsg-1
3.1.2+really3.0.4 1.0~rc1 1.0.0-1ubuntu1 1.0.0_1 2.0-1 2.0-1.1 3.4.5-6 1.2-r1
0.10.1.dev0 0.10.1a1.dev2 1.0.0a0 1.0.0.a0 1.0.0.alpha0 1.0.0-ALPHA-0 0.0.post0
1.0.0.post0 1.0.0.post0.dev0 1.0.0a1.post1 1.0.0b2.post3.dev4 1.0.0rc1.dev1
2.4.1.post3 1.1.1w 1.1.1 0.9.8zh 3.0.13 1.0.2u 2.7.18 3.12.2 3.13.0a5 3.13.0b1
3.13.0rc1 3.7.0.final.0 2.7.0.candidate.1 3.8.0c1 1.6.2.post0 0.1.0.dev0+g4b5c6d7
0.17.2 0.4.1.post1 1.0.3.post2 24.1.1 2.0.3 0.15.0.post1 1.9.0.post1 0.0.3.post1
"""

# Spellings that stress normalisation and the edge of the grammar.
WEIRD = [
    "v1.0", "V1.0", "vv1.0", "v 1.0", " 1.0", "1.0 ", "\t1.0\n", "  v2.0.0rc1  ",
    "1.0\u00a0", "\u30001.0\u2003", "1.0\x1c", "\x1f1.0", "1.0\u200b", "1.0\x85",
    "1.0\u2028", "1.0\v", "1.0\f\r",
    "1!1.0", "0!1.0", "01!1.0", "00!0", "1!v1.0", "v1!1.0", "!1.0", "1!", "1!!1.0",
    "1.0.99999999999999999999999999", "99999999999999999999.0", "1!99999999999999999999999",
    "1.0.post99999999999999999999", "1.0a99999999999999999999", "1.0.dev99999999999999999999",
    "1.0+99999999999999999999.x", "18446744073709551615.18446744073709551616",
    "9223372036854775807.9223372036854775808",
    "1.0.post", "1.0-post", "1.0_post_1", "1.0.r1", "1.0rev", "1.0-1", "1.0-01",
    "1.0a", "1.0.a.1", "1.0-alpha-1", "1.0beta", "1.0.pre", "1.0preview2", "1.0c1",
    "1.0RC1", "1.0.DEV", "1.0a1.post2.dev3", "1.0.post1.dev2+abc.5", "1.0+ABC.5",
    "1.0+abc-5_x.y", "1.0+abc..5", "1.0+", "1.0+abc.", "1.0+_abc", "+abc", "", " ",
    "1.", ".1", "1..0", "1.0.*", "1.0a1a2", "1.0.post1.post2", "1.0-1-1", "1.0-dev",
    "1.0dev", "1.0.dev-1", "1.0a-", "1.0.dev-+abc", "1.0a.+l", "1 .0", "1.0 a1",
    "1.0.0x", "1.0ab", "1.0a1b", "\u0661.\u0660", "1.0.post1-1", "1.0-r", "1.0r",
    "1.0c", "1.0pre", "1.0.0.0.0.0", "1.0a.1", "1.0a-1", "1.0a--1", "1.0a.dev",
    "1.0a..dev", "1.0.post.-1", "1.0--1", "1.0-r1", "1.0a-post1", "1.0post-1",
    "1.0.post-", "1.0-1-dev", "1.0-1.dev", "1.0-rev", "1.0.0-Beta-2", "1.0.0.PREVIEW.3",
    "1.0.0-c-4", "1.0.0_post_5", "1.0.0.rev.6", "1.0.0-r-7", "1.0.0-8", "1.0.0.DEV-9",
    "1.0.0_dev_10", "1_0", "1-0", "1.0.0.alpha.1", "1.0.0alpha.1", "1.0+0abc", "1.0+007",
    "1.0+00", "1.0+abc.007", "1.0+1.0", "1.0+a-b_c.d", "1.0+ABC-def_1", "1.0+x+y",
    "1.0+a b", "1.0a1+", "1.0 +abc", "1.0+ abc", "1.0.dev1.post1", "1.0.post1a1",
    "1.0.dev1a1", "1.0a1.dev1.post1", "1.0-a1", "1.0_a1", "1.0.a1", "1.0-a-1",
    "1.0_alpha_1", "1.0.Alpha.1", "1.0ALPHA1", "1.0pReViEw1", "1.0REV1", "1.0DEV1",
    "1.0-DEV", "1.0.0.0", "0.0", "0.0.0.0.1", "000.000.001", "1.00", "1.010", "1.0.",
    "1.0..", "a1.0", "1.0a1.0", "1.0.post1.0", "1.0a1-", "1.0a1_", "1.0-post",
    "1.0_r", "1.0r_", "1.0rc_", "1.0-rc-", "1.0.dev.", "1.0.dev_", "1.0dev-",
    "1.0+local-", "1.0+-local", "1.0+lo.cal", "1.0+L.O.C.A.L", "1.0+1", "1.0+1.a.2.b",
    "*", "1.*", "==1.0", "1.0,2.0", "1.0;", "1.0)", "(1.0)", "latest", "unknown",
    "2.0-final", "1.0.0.RELEASE", "1.0.0-GA", "2014-01-01", "20140101", "2014.01.01",
    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1", "0!0.0.0", "1.0.0-1.0", "5.0.0.post1+foo",
    "1.0.0.dev1+foo.bar.baz", "1.0rc1+local", "1!1.0a1.post2.dev3+local.4",
    "\u0131", "1.0\u00ad", "1.0\x00", "1.0\u3000",
]

# Characters where Python's case-insensitive regular expressions fold non-ASCII
# letters onto ASCII ones (Kelvin sign, long s, dotted and dotless i). packaging
# accepts these by accident; the Go package deliberately rejects them, so they
# are not part of the fixture. They are listed in pep440_test.go instead.
EXCLUDED = ["1.0+\u212a", "1.0.po\u017ft1", "1.0prev\u0130ew1", "1.0prev\u0131ew1"]


def synthetic_versions():
    epochs = ["", "0!", "1!", "12!", "01!"]
    releases = ["0", "1", "1.0", "1.0.0", "01.02", "2.10.3", "1.2.3.4.5", "1.0.1"]
    pres = ["", "a", "a1", "-alpha-2", ".b.3", "_c_", "rc1", "RC2", "preview4",
            ".pre.5", "b-", "rc10", ".a.01"]
    posts = ["", "-1", ".post", "post2", "_r3", "-rev4", ".post.5", "-01"]
    devs = ["", ".dev", "dev1", "-dev-2", "_DEV3", "dev."]
    locals_ = ["", "+local", "+abc.5", "+1.0", "+ABC-def_1", "+0abc", "+007"]
    out = []
    i = 0
    for pre, post, dev in itertools.product(pres, posts, devs):
        e = epochs[i % len(epochs)]
        r = releases[(i // 3) % len(releases)]
        loc = locals_[(i // 2) % len(locals_)] if i % 4 == 0 else ""
        out.append(e + r + pre + post + dev + loc)
        i += 1
    return out


def version_corpus():
    seen = set()
    out = []
    for s in REAL_WORLD.split() + WEIRD + synthetic_versions():
        if s not in seen:
            seen.add(s)
            out.append(s)
    # Integer conversion limit of Python 3.11+ (4300 digits).
    out += ["1." + "1" * 4300, "1." + "1" * 4301, "1." + "0" * 4301,
            "1.0+" + "2" * 4301, "1.0+a" + "2" * 4301, "1.0.dev" + "3" * 4301]
    return out


def try_version(s):
    try:
        return Version(s)
    except (InvalidVersion, ValueError):
        return None


def version_record(s, v):
    if v is None:
        return {"in": s, "valid": False}
    return {
        "in": s,
        "valid": True,
        "str": str(v),
        "public": v.public,
        "base": v.base_version,
        "local": v.local or "",
        "epoch": str(v.epoch),
        "release": [str(x) for x in v.release],
        "pre": [v.pre[0], str(v.pre[1])] if v.pre is not None else None,
        "post": str(v.post) if v.post is not None else None,
        "dev": str(v.dev) if v.dev is not None else None,
        "is_prerelease": v.is_prerelease,
        "is_postrelease": v.is_postrelease,
        "is_devrelease": v.is_devrelease,
    }


def gen_versions():
    corpus = version_corpus()
    parsed = [(s, try_version(s)) for s in corpus]
    records = [version_record(s, v) for s, v in parsed]

    # Rank every valid version: equal versions share a rank, and ranks follow
    # packaging's ordering. Compare(a, b) must have the sign of rank(a) - rank(b).
    valid = sorted(((v, i) for i, (s, v) in enumerate(parsed) if v is not None),
                   key=lambda t: t[0])
    rank = -1
    prev = None
    for v, i in valid:
        if prev is None or prev < v:
            rank += 1
        elif not prev == v:
            raise SystemExit("ordering is not total?")
        records[i]["rank"] = rank
        prev = v
    return records


# ---------------------------------------------------------------------------
# Specifier corpus
# ---------------------------------------------------------------------------

# Versions every specifier set is checked against (order matters for filter).
PROBE_VERSIONS = """
0.9 1.0.dev0 1.0a1 1.0a1.dev1 1.0b2 1.0rc1 1.0 1.0.0 1.0+local 1.0+abc.5 1.0.post1
1.0.post1.dev1 1.0.post1+local 1.0.1 1.0.1a1 1.1 1.1.dev1 1.1a1 1.1.post1 1.2
1.4 1.4.1 1.4.2 1.4.2.post1 1.4.3 1.4.5a4 1.4.5 1.5 1.7 1.7.0.post1 1.7.1 1.7.1.post1
1.7.1+local 1.7.post1 1.8.dev0 2.0.dev1 2.0a1 2.0rc1 2.0 2.0.0 2.0.1 2.0+local 2.1.0 2.2
2.2.post3 2.3 3.0 3.0.0.dev0 3.1.dev0 3.1 10.0 1!0.5 1!1.0 1!1.0a1 1!2.0 0!1.0 2013b
1.0c1 2023.3.post1 0.0 0 1.0.0.0.1 1.0rc1.post1 1.0a1.post1
""".split()

SPECIFIERS = [
    "", " ", ",", ",,", ">=1.0", ">=1.0,<2", ">= 1.0 , < 2.0 ", "~=1.4.2", "~=1.4",
    "~=1.4.5a4", "~=2.2.post3", "~=2.2.0", "~=1.0.dev1", "~=1", "~=1.0+local",
    "~=1.*", "~= 1.4", "~=v1.4", "~=1!1.0", "~=1.0c1", "~=1.0C1", "~=1.0-1",
    "==1.*", "==1.0.*", "==1.4.*", "==2.*", "==1.0a1.*", "==1.0A1.*", "==1.0c1.*",
    "==1.0rc1.*", "==1.0.post1.*", "==1!1.*", "==0!1.*", "==v1.*", "==1.00.*", "==01.*",
    "==1.0a.*", "==1.0a..*", "==1.0-1.*", "==1.0.dev1.*", "==1.0+local.*", "==*",
    "!=1.*", "!=1.0.*", "!=1.4.*", "!=2.0.*", "!=1.0a1.*", "!=1.0", "!=1.0+local",
    "==1.0", "==1.0.0", "==1", "==1.0+local", "==1.0+LOCAL", "==1.0+abc.5",
    "==1.0+abc.05", "==v1.0", "== 1.0", "==1.0a1", "==1.0c1", "==1.0.post1",
    "==1!1.0", "==0!1.0", "==2013b", "==1.0.dev0",
    "===1.0", "===1.0.0", "===1.0+local", "===foo", "=== foo", "===1.0+LOCAL",
    "===1.0+\u212a", "===", "====1.0", "===1.0 x", "===1.0a1", "===v1.0",
    ">1.7", ">1.7.1", ">1.7.post1", ">1.7.1.post1", ">1.0", ">1.0a1", ">1.0.post1",
    ">1.0.dev0", ">1!0.5", ">=1!1.0", ">0!1.0", "<2.0", "<2", "<2.0rc1", "<2.0.dev1",
    "<1.0", "<1.0a1", "<1.0.post1", "<1.1", "<3.1", "<1!2.0", "<=1.0", "<=1.0a1",
    "<=2.0", "<=1.0.post1", ">=1.0a1", ">=1.0.dev0", ">=1.0.post1", ">=2.0.0",
    ">=1.0+local", "<=1.0+local", "<1.0+local", ">1.0+local", ">=1.*", "<1.*",
    ">=1.0,!=1.4.*,<2.0", ">=1.0a1,<2.0", "<2.0,>=1.0a1", ">1.0,<1.0",
    "~=1.4.2,!=1.4.3", "==1.*,!=1.0", ">=1.0,>=1.0.0", ">=1.0.0,>=1.0",
    "==1.0,==1", "==1,==1.0", "===1.0,===1.0.0", "!=1.0.*,!=1.0.0.*", ">=1.0,, <2",
    ">=1.0;python_version<'3'", ">=1.0 <2.0", "1.0", ">=", "<", "=>1.0", "=<1.0",
    "=1.0", ">== 1.0", "<==1.0", "~1.0", "^1.0", ">=1.0.", ">=1.0-", ">=1.0a-",
    ">=1.0.dev-", ">=1.0-1", ">=1.0-r1", ">=V1.0", ">=1.0RC1", ">=1.0.DEV1",
    ">=1.0\u00a0", "\u3000>=1.0", ">=\u20091.0", ">=1.0\x1c", "  ==  1.0  ", "== 1.0 .*",
    "==1.0 .*", "== 1.0.*", ">=foo", "==foo", "!=foo", "==1.0,foo", "foo,==1.0",
    ">=1.0,<=1.0", ">=1.0.dev0,<=1.0.dev0", "<1.0.dev0", ">1.0.dev0,<1.0",
    "!=1.0.post1", "==1.0.post1+local", "~=1.0.post1", "~=1.0a1", "~=1.0rc1.post1",
    ">=1.0,<1.0.1", ">1.0.0", ">1.0.0.0", "<1.0.0", ">=0", "<=0", "==0.*", "==0",
    ">=1.4.5a4", "<1.4.5", ">1.4.5a4", "~=0.0", "~=1.7", "~=1.7.0", ">1.7.0",
    "<1!0.0", ">=0!0", "~=1.0.0.dev0", "==1.0.0.0.1", "!=1.0.0.0.*", "==1.0.0.0.*",
    "==3.*", "!=3.*", ">=3.0.0.dev0", "<3.0.0.dev0", ">3.0.0.dev0", "==2013b.*",
    "==2013.*", "~=2013.0", "==2023.3.*", ">=2023.3.post1", ">2023.3",
    "<1.0a1.post1", ">1.0a1", ">1.0rc1", "<1.0rc1.post1", "<=1.0rc1.post1",
]


def clause_error(spec):
    for clause in (c.strip() for c in spec.split(",")):
        if not clause:
            continue
        try:
            Specifier(clause)
        except InvalidSpecifier:
            return clause
    return None


def gen_specifiers():
    probes = PROBE_VERSIONS
    for p in probes:
        Version(p)  # every probe must be valid
    entries = []
    for spec in SPECIFIERS:
        bad = clause_error(spec)
        if bad is not None:
            entries.append({"spec": spec, "valid": False, "bad_clause": bad})
            continue
        ss = SpecifierSet(spec)

        def bits(pre):
            return "".join("1" if ss.contains(Version(p), prereleases=pre) else "0"
                           for p in probes)

        def filt(pre):
            # Report the positions, in the probe list, of the versions filter keeps.
            objs = [Version(p) for p in probes]
            index = {id(o): i for i, o in enumerate(objs)}
            return [index[id(g)] for g in ss.filter(objs, prereleases=pre)]

        clauses = []
        for c in ss:
            clauses.append({"str": str(c), "prereleases": bool(c.prereleases)})
        clauses.sort(key=lambda c: c["str"])
        entries.append({
            "spec": spec,
            "valid": True,
            "str": str(ss),
            "prereleases": bool(ss.prereleases),
            "clauses": clauses,
            "contains_pre": bits(True),
            "contains_final": bits(False),
            "contains_default": "".join("1" if ss.contains(Version(p)) else "0" for p in probes),
            "filter_default": filt(None),
            "filter_pre": filt(True),
            "filter_final": filt(False),
        })
    return probes, entries


# Filter cases on hand-picked lists, to exercise the "only pre-releases match"
# fallback and the handling of an empty specifier set.
FILTER_CASES = [
    ("", ["1.0a1", "1.0b1"]),
    ("", ["1.0a1", "1.0", "1.1a1"]),
    ("", ["1.0", "1.1a1", "0.9"]),
    ("", []),
    (">=1.0", ["1.1a1"]),
    (">=1.0", ["1.1a1", "1.0"]),
    (">=1.0a1", ["1.1a1", "1.0"]),
    ("<2", ["2.0a1", "1.9a1"]),
    ("==1.0a1", ["1.0a1", "1.0"]),
    ("!=1.0", ["1.0a1", "1.0.dev1", "1.1"]),
    ("~=1.0", ["1.0.1a1", "1.1.dev0"]),
    ("===1.0a1", ["1.0a1"]),
]


def gen_filters():
    out = []
    for spec, versions in FILTER_CASES:
        ss = SpecifierSet(spec)
        for pre in (None, True, False):
            got = [str(v) for v in ss.filter([Version(v) for v in versions], prereleases=pre)]
            out.append({"spec": spec, "versions": versions,
                        "prereleases": pre, "result": got})
    return out


def dump_lines(path, header, key, items):
    """Write a JSON object with one list item per line, to keep diffs readable."""
    with open(path, "w", encoding="utf-8") as f:
        f.write("{\n")
        for k, v in header.items():
            f.write(f"{json.dumps(k)}: {json.dumps(v)},\n")
        f.write(f"{json.dumps(key)}: [\n")
        for i, item in enumerate(items):
            f.write(json.dumps(item, sort_keys=True))
            f.write(",\n" if i + 1 < len(items) else "\n")
        f.write("]\n}\n")


def main():
    meta = {"packaging": PACKAGING_VERSION, "python": sys.version.split()[0]}
    versions = gen_versions()
    dump_lines(os.path.join(HERE, "versions.json"), {"generator": meta}, "versions", versions)
    probes, specs = gen_specifiers()
    dump_lines(os.path.join(HERE, "specifiers.json"),
               {"generator": meta, "probes": probes, "filters": gen_filters()},
               "specifiers", specs)
    nv = sum(1 for v in versions if v["valid"])
    print(f"versions: {len(versions)} ({nv} valid); specifier sets: {len(specs)} "
          f"x {len(probes)} probes", file=sys.stderr)


if __name__ == "__main__":
    main()
