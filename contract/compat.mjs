// The breaking-change check behind contract/compat.sh: diff two OpenAPI documents with
// api-smart-diff, keep the changes it classifies as breaking (or cannot classify), and accept
// exactly those that CHANGELOG.md declares under "## [Unreleased]". Run it through compat.sh.
//
//   node contract/compat.mjs --base OLD.json --head NEW.json [--changelog CHANGELOG.md]
//        [--report REPORT.json] [--base-label TEXT]
//
// Exit status: 0 when every breaking change is declared (or there is none), 1 when one is not or
// when a BREAKING line of the changelog is malformed, 2 on a usage or input error.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { apiCompare } from "api-smart-diff";

const require = createRequire(import.meta.url);
// The package's "exports" hide its package.json; read it next to its entry point (dist/).
const TOOL_VERSION = JSON.parse(
  fs.readFileSync(path.join(path.dirname(require.resolve("api-smart-diff")), "..", "package.json"), "utf8"),
).version;

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
// Component sections whose changes api-smart-diff also reports at every operation that uses
// them (it resolves $refs); their own entries would only repeat those, without an operation.
const COMPONENTS_SEEN_IN_OPERATIONS = new Set([
  "schemas", "responses", "parameters", "requestBodies", "headers", "examples", "links",
  "callbacks", "pathItems",
]);
const MAX_LINES_PER_OPERATION = 12;

function usage(msg) {
  console.error(`compat.mjs: ${msg}`);
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { changelog: null, report: null, baseLabel: null };
  for (let i = 0; i < argv.length; i += 2) {
    const [k, v] = [argv[i], argv[i + 1]];
    if (v === undefined) usage(`${k} needs a value`);
    if (k === "--base") opts.base = v;
    else if (k === "--head") opts.head = v;
    else if (k === "--changelog") opts.changelog = v;
    else if (k === "--report") opts.report = v;
    else if (k === "--base-label") opts.baseLabel = v;
    else usage(`unknown argument ${k}`);
  }
  if (!opts.base || !opts.head) usage("--base and --head are required");
  return opts;
}

function readJson(file, what) {
  let text;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    usage(`cannot read the ${what} document ${file}: ${e.message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    usage(`the ${what} document ${file} is not JSON: ${e.message}`);
  }
}

const isObj = (v) => typeof v === "object" && v !== null && !Array.isArray(v);

// --- Normalisation --------------------------------------------------------------------------
// OpenAPI 3.1 writes a nullable field as `type: ["string", "null"]` and a plain one as
// `type: "string"`. api-smart-diff compares a scalar `type` with an array `type` as one opaque
// replacement, which it calls breaking in a request and non-breaking in a response: making a
// request field nullable (harmless) failed the check, and making a response field nullable
// (breaks typed clients) passed it. Both documents are therefore compared with every schema
// `type` as an array in a fixed order (the types sorted, "null" last): `"string"` becomes
// `["string"]`, and nullability is one added or removed "null" item, which the tool classifies
// by direction (added: fine in a request, breaking in a response; removed: the reverse).
const SCHEMA_TYPES = new Set(["string", "number", "integer", "boolean", "object", "array", "null"]);
const VALUE_KEYWORDS = new Set(["example", "examples", "default", "const", "enum"]);
const SCHEMA_MAPS = new Set(["properties", "patternProperties", "$defs", "dependentSchemas"]);

function typeArray(t) {
  const list = (Array.isArray(t) ? t : [t]).filter((x) => typeof x === "string");
  if (list.length !== (Array.isArray(t) ? t.length : 1)) return t;
  const rest = [...new Set(list.filter((x) => x !== "null"))].sort();
  return list.includes("null") ? [...rest, "null"] : rest;
}

function normSchema(s) {
  if (Array.isArray(s)) return s.map(normSchema);
  if (!isObj(s)) return s;
  const out = {};
  for (const [k, v] of Object.entries(s)) {
    if (VALUE_KEYWORDS.has(k) || k.startsWith("x-")) out[k] = v;
    else if (k === "type" && (typeof v === "string" ? SCHEMA_TYPES.has(v) : Array.isArray(v)))
      out[k] = typeArray(v);
    else if (SCHEMA_MAPS.has(k) && isObj(v))
      out[k] = Object.fromEntries(Object.entries(v).map(([n, x]) => [n, normSchema(x)]));
    else out[k] = normSchema(v);
  }
  return out;
}

function normDocument(o, parentKey = "") {
  if (Array.isArray(o)) return o.map((x) => normDocument(x));
  if (!isObj(o)) return o;
  const out = {};
  for (const [k, v] of Object.entries(o)) {
    if (k === "schema") out[k] = normSchema(v);
    else if (k === "schemas" && parentKey === "components" && isObj(v))
      out[k] = Object.fromEntries(Object.entries(v).map(([n, x]) => [n, normSchema(x)]));
    else if (VALUE_KEYWORDS.has(k) || k.startsWith("x-")) out[k] = v;
    else out[k] = normDocument(v, k);
  }
  return out;
}

// --- Findings -------------------------------------------------------------------------------
const pointerOf = (p) =>
  "#/" + p.map((s) => String(s).replace(/~/g, "~0").replace(/\//g, "~1")).join("/");

function operationIds(docs, p, method) {
  const ids = [];
  for (const d of docs) {
    const id = d?.paths?.[p]?.[method]?.operationId;
    if (typeof id === "string" && !ids.includes(id)) ids.push(id);
  }
  return ids;
}

// One entry per change: where it is (an operation, or a JSON pointer for a document-level
// change), how the tool classified it and its own description.
function toFindings(diffs, base, head) {
  const out = [];
  for (const d of diffs) {
    const p = d.path ?? [];
    const f = {
      type: d.type,
      action: d.action,
      description: typeof d.description === "string" && d.description ? d.description : "",
      pointer: pointerOf(p),
    };
    if (p[0] === "paths" && p.length >= 2) {
      f.path = String(p[1]);
      if (p.length >= 3 && METHODS.includes(String(p[2]))) {
        f.method = String(p[2]).toUpperCase();
        f.operationIds = operationIds([base, head], f.path, String(p[2]));
        f.where = p.slice(3).join(".") || "(the operation)";
      } else {
        f.method = null;
        f.operationIds = [];
        f.where = p.slice(2).join(".") || "(the path)";
      }
      f.operation = f.method ? `${f.method} ${f.path}` : f.path;
    } else {
      if (p[0] === "components" && COMPONENTS_SEEN_IN_OPERATIONS.has(String(p[1]))) continue;
      f.operation = null;
      f.where = f.pointer;
    }
    out.push(f);
  }
  return out;
}

const isBreaking = (f) => f.type === "breaking" || f.type === "unclassified";

// --- CHANGELOG.md ---------------------------------------------------------------------------
// Under "## [Unreleased]", one line per accepted breaking change:
//   - BREAKING: <target>: <what changed and what clients must do>
// <target> is an operationId (createArticle), a method and path (POST /api/v1/articles), a path
// (/api/v1/tags: every operation on it) or a JSON pointer into the document for a change outside
// the operations (#/components/securitySchemes/bearer); it may be in backticks.
const BREAKING_LINE = /^\s*[-*+]\s+BREAKING:\s+`?([^`]+?)`?:\s+(\S.*)$/;
const LOOKS_BREAKING = /^\s*[-*+]\s+\**\s*BREAKING\b/;
const TARGET_FORMS = [
  { kind: "method-path", re: /^(GET|PUT|POST|DELETE|OPTIONS|HEAD|PATCH|TRACE) (\/\S*)$/ },
  { kind: "path", re: /^(\/\S*)$/ },
  { kind: "pointer", re: /^(#\/\S*)$/ },
  { kind: "operationId", re: /^([A-Za-z_][A-Za-z0-9_.-]*)$/ },
];

function readChangelog(file) {
  const result = { file, exists: false, hasUnreleased: false, declarations: [], malformed: [] };
  if (!file || !fs.existsSync(file)) return result;
  result.exists = true;
  const lines = fs.readFileSync(file, "utf8").split(/\r?\n/);
  let inUnreleased = false;
  lines.forEach((line, i) => {
    if (/^##\s/.test(line)) {
      inUnreleased = /^##\s+\[?\s*Unreleased\s*\]?\s*$/i.test(line);
      if (inUnreleased) result.hasUnreleased = true;
      return;
    }
    if (!inUnreleased || !LOOKS_BREAKING.test(line)) return;
    const m = BREAKING_LINE.exec(line);
    const form = m && TARGET_FORMS.find((t) => t.re.test(m[1].trim()));
    if (!m || !form) {
      result.malformed.push({ line: i + 1, text: line.trim() });
      return;
    }
    result.declarations.push({
      line: i + 1, text: line.trim(), target: m[1].trim(), kind: form.kind, what: m[2].trim(),
      used: 0,
    });
  });
  return result;
}

function declares(decl, f) {
  switch (decl.kind) {
    case "pointer":
      return f.pointer === decl.target || f.pointer.startsWith(decl.target.replace(/\/$/, "") + "/");
    case "method-path":
      return f.operation === decl.target;
    case "path":
      return f.path === decl.target;
    case "operationId":
      return (f.operationIds ?? []).includes(decl.target);
  }
  return false;
}

// --- Output ---------------------------------------------------------------------------------
const say = (s = "") => process.stdout.write(s + "\n");

function groupBy(list, keyOf) {
  const m = new Map();
  for (const x of list) {
    const k = keyOf(x);
    if (!m.has(k)) m.set(k, []);
    m.get(k).push(x);
  }
  return m;
}

function label(f) {
  if (!f.operation) return f.pointer;
  return f.operationIds.length ? `${f.operation}  [${f.operationIds.join(" / ")}]` : f.operation;
}

function printGroup(header, items) {
  say(header);
  for (const f of items.slice(0, MAX_LINES_PER_OPERATION)) {
    const tag = f.type === "unclassified" ? " (unclassified: treated as breaking)" : "";
    say(`      ${f.where}${f.description ? "  " + f.description : ""}${tag}`);
  }
  if (items.length > MAX_LINES_PER_OPERATION)
    say(`      … and ${items.length - MAX_LINES_PER_OPERATION} more`);
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const base = readJson(opts.base, "baseline");
  const head = readJson(opts.head, "current");
  const changelog = readChangelog(opts.changelog);

  const { diffs } = apiCompare(normDocument(base), normDocument(head));
  const findings = toFindings(diffs, base, head);
  const breaking = findings.filter(isBreaking);
  const others = findings.filter((f) => !isBreaking(f) && f.operation);

  for (const f of breaking) {
    const decl = changelog.declarations.find((d) => declares(d, f));
    f.acceptedBy = decl ? decl.line : null;
    if (decl) decl.used += 1;
  }
  const rejected = breaking.filter((f) => f.acceptedBy === null);
  const accepted = breaking.filter((f) => f.acceptedBy !== null);

  const counts = {};
  for (const f of findings) counts[f.type] = (counts[f.type] ?? 0) + 1;
  const clName = opts.changelog ? path.basename(opts.changelog) : "CHANGELOG.md";

  say(`api-smart-diff ${TOOL_VERSION}: ${opts.baseLabel ?? opts.base}  ->  ${opts.head}`);
  say(
    "changes: " +
      (Object.keys(counts).length
        ? Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(", ")
        : "none") +
      (breaking.length ? ` (${accepted.length} of the breaking ones declared in ${clName})` : ""),
  );

  const byOp = (list) => groupBy(list, (f) => label(f));
  if (rejected.length) {
    say("");
    for (const [k, items] of byOp(rejected)) printGroup(`  BREAKING, not declared: ${k}`, items);
  }
  if (accepted.length) {
    say("");
    for (const [k, items] of byOp(accepted))
      printGroup(`  breaking, declared at ${clName}:${items[0].acceptedBy}: ${k}`, items);
  }
  if (others.length) {
    say("");
    say(`  other changes, by operation (${others.length}; no changelog entry needed):`);
    for (const [k, items] of byOp(others)) {
      const kinds = groupBy(items, (f) => f.type);
      say(`      ${k}: ${[...kinds].map(([t, l]) => `${l.length} ${t}`).join(", ")}`);
    }
  }

  for (const m of changelog.malformed)
    say(`\n  ${clName}:${m.line}: not a valid BREAKING line: ${m.text}`);
  for (const d of changelog.declarations.filter((x) => x.used === 0))
    say(`\n  note: ${clName}:${d.line} declares ${d.target}, which matches no breaking change of this diff (fine if it was checked against an earlier baseline)`);

  const status = rejected.length || changelog.malformed.length ? 1 : 0;
  if (changelog.malformed.length) {
    say("\n  A BREAKING line reads: - BREAKING: <operationId | METHOD /path | /path | #/pointer>: <what>");
  }
  if (rejected.length) {
    const targets = [...new Set(rejected.map((f) =>
      f.operation ? (f.operationIds[0] ?? f.operation) : f.pointer))];
    say("");
    say(`  ${rejected.length} breaking change(s) in ${targets.length} place(s) are not declared.`);
    say("  Make the change backward compatible, or, if it is meant, declare each place under");
    say(`  "## [Unreleased]" in ${clName} (see contract/README.md), e.g.:`);
    for (const t of targets.slice(0, 10)) say(`    - BREAKING: ${t}: <what changed, and what clients must do>`);
  } else if (!breaking.length && others.some((f) => f.type === "non-breaking")) {
    say("");
    say(`  Additions pass without an entry; a line under "## [Unreleased]" → "### Added" in ${clName} helps the frontend teams.`);
  }
  if (!changelog.exists && opts.changelog) say(`\n  note: no ${opts.changelog}: no breaking change can be declared`);
  else if (changelog.exists && !changelog.hasUnreleased)
    say(`\n  note: ${clName} has no "## [Unreleased]" section: no breaking change can be declared`);

  if (opts.report) {
    fs.mkdirSync(path.dirname(opts.report), { recursive: true });
    fs.writeFileSync(
      opts.report,
      JSON.stringify(
        {
          tool: { name: "api-smart-diff", version: TOOL_VERSION },
          base: opts.baseLabel ?? opts.base,
          head: opts.head,
          status,
          counts,
          breaking: breaking.map(({ type, operation, operationIds, pointer, where, description, acceptedBy }) =>
            ({ type, operation, operationIds, pointer, where, description, acceptedBy })),
          other: others.map(({ type, operation, where, description }) => ({ type, operation, where, description })),
          declarations: changelog.declarations,
          malformed: changelog.malformed,
        },
        null,
        2,
      ) + "\n",
    );
  }
  say("");
  say(status === 0 ? "compat: OK" : "compat: FAILED");
  process.exit(status);
}

main();
