'use strict';
// Computes JavaScript's answers for the tables of test_js_rules.py: stdin is a JSON object
// {helper: [input, ...]}, stdout the same keys with one answer per input. Plain Node.js; no SDK.
// Inputs that JSON cannot carry arrive as markers: {"$undefined": 1} is undefined and
// {"$number": "NaN" | "Infinity" | "-Infinity"} that number.
const fs = require('fs');

function revive(value) {
  if (Array.isArray(value)) return value.map(revive);
  if (value && typeof value === 'object') {
    if (value.$undefined === 1) return undefined;
    if (typeof value.$number === 'string') return Number(value.$number);
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = revive(v);
    return out;
  }
  return value;
}

function attempt(fn) {
  try {
    return fn();
  } catch (error) {
    return { error: error.name };
  }
}

const HELPERS = {
  trim: (s) => s.trim(),
  trimStart: (s) => s.trimStart(),
  trimEnd: (s) => s.trimEnd(),
  length: (s) => s.length,
  slice: ([s, start, end]) => (end === null ? s.slice(start) : s.slice(start, end)),
  round: (x) => String(Math.round(revive(x))),
  toString: (x) => String(revive(x)),
  jsonNumber: (x) => JSON.stringify(revive(x)),
  stringify: (v) => JSON.stringify(revive(v)),
  stringifyUndefined: (v) => JSON.stringify(revive(v)),
  encodeURIComponent: (s) => attempt(() => encodeURIComponent(s)),
  isHttpsUrl: (s) => attempt(() => new URL(s).protocol === 'https:')
};

const input = JSON.parse(fs.readFileSync(0, 'utf8'));
const output = {};
for (const [name, values] of Object.entries(input)) {
  output[name] = values.map(HELPERS[name]);
}
process.stdout.write(JSON.stringify(output));
