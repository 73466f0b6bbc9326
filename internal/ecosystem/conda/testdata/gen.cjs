#!/usr/bin/env node
// Generates the conda package's test fixtures with rattler itself: the npm package
// @conda-org/rattler, a WebAssembly build of rattler's conda types. Every expectation
// in versions.json, order.json and specs.json is computed here by rattler; nothing is
// written by hand. See README.md for how to run it.
//
// Inputs (next to this script): versions.txt, probes.txt and specs.txt, plus the
// synthetic combinations and size limits built below.
'use strict';

const fs = require('fs');
const path = require('path');
const rattler = require('@conda-org/rattler');
// The package's exports hide package.json; find it next to the entry point's dist/.
const rattlerPackage = JSON.parse(
  fs.readFileSync(path.join(path.dirname(require.resolve('@conda-org/rattler')), '..', 'package.json'), 'utf8'),
);

const HERE = __dirname;

// --- reading the inputs ---------------------------------------------------------------

// readList reads a corpus file. With perLine false, unquoted lines hold several
// entries separated by white space; with perLine true, each unquoted line is one
// entry, trimmed. A line starting with '"' is one JSON string literal either way.
function readList(name, perLine) {
  const out = [];
  for (const raw of fs.readFileSync(path.join(HERE, name), 'utf8').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('"')) {
      out.push(JSON.parse(line));
    } else if (perLine) {
      out.push(line);
    } else {
      out.push(...line.split(/\s+/));
    }
  }
  return out;
}

function unique(list) {
  const seen = new Set();
  return list.filter((s) => (seen.has(s) ? false : (seen.add(s), true)));
}

// Synthetic versions: epochs, releases, letter/dev/post suffixes, separators and
// local parts, rotated so that every value of each axis appears without taking the
// full product.
function syntheticVersions() {
  const epochs = ['', '0!', '1!', '2!'];
  const releases = ['0', '1', '1.0', '1.0.0', '1.2', '1.2.3', '2.0', '1_2', '1-2', '10.1'];
  const suffixes = ['', 'a', 'a0', 'a1', 'b2', 'rc1', '.rc1', 'dev', '.dev0', 'dev1', 'post',
    '.post1', 'post1', '_', '-', 'alpha', '.beta.2', 'z', '_1', '-1', '.0', '.0.0', 'g'];
  const locals = ['', '+local', '+1', '+a.1', '+0', '+loc_2'];
  const out = [];
  let i = 0;
  for (const suffix of suffixes) {
    for (const release of releases) {
      const epoch = epochs[i % epochs.length];
      const local = locals[Math.floor(i / 3) % locals.length];
      out.push(epoch + release + suffix + local);
      i++;
    }
  }
  return out;
}

// Versions at rattler's size limits: at most 127 segments before a local part, and
// at most 8191 components in one segment.
function limitVersions() {
  const segs = (n) => Array(n).fill('1').join('.');
  return [
    segs(127) + '+a', segs(128) + '+a', segs(200),
    '1' + 'a1'.repeat(4095), '1' + 'a1'.repeat(4095) + 'a', '1' + 'a1'.repeat(4095) + '_',
    'a1'.repeat(4095) + 'a', 'a1'.repeat(4096),
  ];
}

// A small deterministic PRNG (mulberry32), so that the random corpus is the same on
// every run.
function prng(seed) {
  return function (n) {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
}

const VERSION_TOKENS = ['0', '1', '2', '9', '00', '01', '10', 'a', 'b', 'z', 'A', 'rc', 'dev', 'DEV', 'post',
  'Post', 'devel', 'postx', 'alpha', '.', '.', '.', '_', '-', '+', '!', '*'];
const SPEC_TOKENS = ['1', '2', '0', '1.2', '1.0', 'a', '.', '*', '.*', '_', '-', '+', '!', '==', '!=', '=', '>=',
  '>', '<=', '<', '~=', ',', '|', '(', ')', ' ', '1!', 'rc', 'dev', 'post'];

function soup(rnd, tokens, max) {
  let s = '';
  for (let n = 1 + rnd(max); n > 0; n--) s += tokens[rnd(tokens.length)];
  return s;
}

// Random versions: token soup, mostly invalid, to exercise the corners of the parser.
function randomVersions(count) {
  const rnd = prng(20240601);
  return Array.from({ length: count }, () => soup(rnd, VERSION_TOKENS, 7));
}

// Random specs: token soup, and an operator with a glob around a prefix of a probe
// (perhaps extended with zeros), which is what exercises prefix matching.
function randomSpecs(count, probes) {
  const rnd = prng(20240602);
  const ops = ['', '', '==', '!=', '=', '>=', '>', '<=', '<', '~='];
  const globs = ['', '.*', '*', '', '.*.*'];
  const tails = ['', '', '.0', '0', '.0.0', '_0', '-0', '+0', 'a', '.*'];
  return Array.from({ length: count }, () => {
    if (rnd(3) === 0) return soup(rnd, SPEC_TOKENS, 6);
    const p = probes[rnd(probes.length)];
    const prefix = p.slice(0, 1 + rnd(p.length)) + tails[rnd(tails.length)];
    return ops[rnd(ops.length)] + prefix + globs[rnd(globs.length)];
  });
}

// Synthetic specs: every operator, with and without a glob, in front of versions of
// different shapes.
function syntheticSpecs() {
  const ops = ['', '==', '!=', '=', '>=', '>', '<=', '<', '~='];
  const versions = ['1.2', '1.2.0', '1.2a', '1!1.2', '1.2+loc', '1.0_', '2024a', '1.1.1t', '1'];
  const globs = ['', '.*', '*'];
  const out = [];
  for (const op of ops) for (const v of versions) for (const g of globs) out.push(op + v + g);
  return out;
}

// --- asking rattler ------------------------------------------------------------------------

function message(err) {
  return String(err && err.message !== undefined ? err.message : err).split('\n')[0];
}

function parseVersion(s) {
  try {
    return { v: new rattler.Version(s) };
  } catch (err) {
    return { err: message(err) };
  }
}

function versionRecord(s) {
  const { v, err } = parseVersion(s);
  if (err !== undefined) {
    // Keep rattler's reason, not its repetition of the input.
    const prefix = `malformed version string '${s}': `;
    return { in: s, valid: false, error: err.startsWith(prefix) ? err.slice(prefix.length) : err };
  }
  return {
    in: s,
    valid: true,
    str: v.toString(),
    segments: v.length,
    has_local: v.hasLocal,
    is_dev: v.isDev,
  };
}

// order groups the valid versions into classes of equal versions (compare == 0),
// in ascending order, and checks that every pair compares as the classes say.
function order(inputs) {
  const vs = inputs.map((s) => ({ s, v: new rattler.Version(s) }));
  vs.sort((a, b) => a.v.compare(b.v));
  const groups = [];
  for (const x of vs) {
    const last = groups[groups.length - 1];
    if (last && last[0].v.compare(x.v) === 0) last.push(x);
    else groups.push([x]);
  }
  const rank = new Map();
  groups.forEach((g, i) => g.forEach((x) => rank.set(x.s, i)));
  const unequal = [];
  for (const a of vs) {
    for (const b of vs) {
      const want = Math.sign(rank.get(a.s) - rank.get(b.s));
      const got = a.v.compare(b.v);
      if (got !== want) {
        throw new Error(`compare(${a.s}, ${b.s}) = ${got}, but the sorted classes say ${want}`);
      }
      const eq = a.v.equals(b.v);
      if (eq && got !== 0) throw new Error(`equals(${a.s}, ${b.s}) but compare = ${got}`);
      if (!eq && got === 0 && a.s < b.s) unequal.push([a.s, b.s]);
    }
  }
  return { groups: groups.map((g) => g.map((x) => x.s)), unequal };
}

function specRecord(spec, strictness, probes) {
  let vs;
  try {
    vs = new rattler.VersionSpec(spec, strictness);
  } catch (err) {
    return { valid: false, error: message(err) };
  }
  return {
    valid: true,
    str: vs.toString(),
    matches: probes.map((p) => (vs.matches(p) ? '1' : '0')).join(''),
  };
}

// --- writing -----------------------------------------------------------------------------

// dump writes a JSON object with one list item per line, to keep diffs readable.
function dump(name, header, key, items) {
  const lines = ['{'];
  for (const [k, v] of Object.entries(header)) lines.push(`${JSON.stringify(k)}: ${JSON.stringify(v)},`);
  lines.push(`${JSON.stringify(key)}: [`);
  items.forEach((item, i) => lines.push(JSON.stringify(item) + (i + 1 < items.length ? ',' : '')));
  lines.push(']', '}', '');
  fs.writeFileSync(path.join(HERE, name), lines.join('\n'));
}

function main() {
  const generator = { package: `${rattlerPackage.name}@${rattlerPackage.version}`, node: process.version };

  const versions = unique([
    ...readList('versions.txt', false), ...syntheticVersions(), ...limitVersions(), ...randomVersions(400),
  ]);
  const records = versions.map(versionRecord);
  dump('versions.json', { generator }, 'versions', records);

  const valid = records.filter((r) => r.valid).map((r) => r.in);
  const { groups, unequal } = order(valid);
  dump('order.json', { generator, unequal }, 'groups', groups);

  const probeStrings = unique(readList('probes.txt', false));
  const probes = probeStrings.map((s) => {
    const { v, err } = parseVersion(s);
    if (err !== undefined) throw new Error(`probe ${JSON.stringify(s)}: ${err}`);
    return v;
  });
  const specs = unique([
    ...readList('specs.txt', true), ...syntheticSpecs(), ...randomSpecs(400, probeStrings),
  ]).map((spec) => ({
    spec,
    strict: specRecord(spec, 'strict', probes),
    lenient: specRecord(spec, 'lenient', probes),
  }));
  dump('specs.json', { generator, probes: probeStrings }, 'specs', specs);

  const nv = records.filter((r) => r.valid).length;
  const ns = specs.filter((s) => s.strict.valid).length;
  const nl = specs.filter((s) => s.lenient.valid).length;
  process.stderr.write(
    `versions: ${records.length} (${nv} valid, ${groups.length} classes, ${unequal.length} equal-but-not-==); ` +
      `specs: ${specs.length} (${ns} strict-valid, ${nl} lenient-valid) x ${probes.length} probes\n`,
  );
}

main();
