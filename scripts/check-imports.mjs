#!/usr/bin/env node
// Every workspace package declares every module its sources import.
//
// For each workspace package with a src/ folder, reads src/**/*.ts (tests live
// in test/ and are not read) with the TypeScript parser and collects every
// module specifier: `import … from`, `import type … from`, `export … from`,
// `import x = require()`, `import()`, `require()`, `require.resolve()`,
// `import('x').T` type queries and `declare module 'x'` augmentations.
// Comments and strings are never mistaken for imports. A bare specifier is
// mapped to its package (`@scope/name/deep` → `@scope/name`, `name/deep` →
// `name`); relative paths, Node built-ins (`node:*` or bare) and the package's
// own name are skipped. The package must list it in `dependencies`,
// `peerDependencies` or `optionalDependencies` (a devDependency does not count:
// it is not installed for a user).
//
// Second rule: for every entry of `dependencies`, that dependency's required
// peer dependencies (not marked optional in its peerDependenciesMeta) must be
// declared too, or a user's install is missing them.
//
// Violations listed in scripts/check-imports.known.json (package → module →
// why) are printed but do not fail; an entry there that no longer matches a
// violation fails, so the list only shrinks. `--strict` fails on known ones too.
//
// Usage: node scripts/check-imports.mjs [--strict] [--verbose]  (--verbose lists the
// `import()`s with a computed specifier, e.g. of a user's config file, which cannot be checked)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const strict = process.argv.includes('--strict');
const verbose = process.argv.includes('--verbose');
const knownFile = join(root, 'scripts', 'check-imports.known.json');
const known = existsSync(knownFile) ? JSON.parse(readFileSync(knownFile, 'utf8')) : {};
delete known.$comment;

const DECLARING_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies'];

/** Workspace package folders, from pnpm-workspace.yaml's `packages:` list (`dir/*` or `dir`). */
function workspaceDirs() {
  const yaml = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
  const block = yaml.match(/^packages:\s*\n((?:\s+-.*\n?)+)/m);
  if (!block) throw new Error('pnpm-workspace.yaml has no packages: list');
  const dirs = [];
  for (const line of block[1].split('\n')) {
    const pattern = line
      .replace(/^\s*-\s*/, '')
      .replace(/^['"]|['"]$/g, '')
      .trim();
    if (pattern === '') continue;
    if (pattern.endsWith('/*')) {
      const parent = join(root, pattern.slice(0, -2));
      for (const entry of readdirSync(parent, { withFileTypes: true })) {
        if (entry.isDirectory()) dirs.push(join(parent, entry.name));
      }
    } else if (!pattern.includes('*')) {
      dirs.push(join(root, pattern));
    } else {
      throw new Error(`unsupported workspace pattern ${pattern}`);
    }
  }
  return dirs.filter((dir) => existsSync(join(dir, 'package.json')));
}

function sourceFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (/\.[cm]?tsx?$/.test(entry.name) && !/\.test\.[cm]?tsx?$/.test(entry.name)) out.push(path);
  }
  return out.sort();
}

/** Every module specifier a file references, with its line; non-literal `import()`s separately. */
function specifiersOf(file) {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found = [];
  const dynamic = [];
  const lineOf = (node) => sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
  const literal = (node) =>
    node !== undefined && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))
      ? node.text
      : undefined;
  const add = (node, spec) => found.push({ spec, line: lineOf(node) });
  const isModule = ts.isExternalModule(sf);
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      add(node, literal(node.moduleSpecifier));
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node, literal(node.moduleReference.expression));
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node, literal(node.argument.literal));
    } else if (ts.isModuleDeclaration(node) && ts.isStringLiteral(node.name) && isModule) {
      add(node, node.name.text); // `declare module 'x'` in a module augments x: x must resolve
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const isImport = callee.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire =
        (ts.isIdentifier(callee) && callee.text === 'require') ||
        (ts.isPropertyAccessExpression(callee) &&
          ts.isIdentifier(callee.expression) &&
          callee.expression.text === 'require' &&
          callee.name.text === 'resolve');
      if (isImport || isRequire) {
        const spec = literal(node.arguments[0]);
        if (spec !== undefined) add(node, spec);
        else if (isImport) dynamic.push({ line: lineOf(node), text: node.getText(sf).slice(0, 60) });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { found: found.filter((f) => f.spec !== undefined), dynamic };
}

function packageNameOf(spec) {
  if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('#')) return undefined;
  if (spec.startsWith('node:') || isBuiltin(spec)) return undefined;
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** The manifest of a dependency as installed for this package (pnpm links each one in its node_modules). */
function installedManifest(pkgDir, name, workspace) {
  if (workspace.has(name)) return workspace.get(name).manifest;
  const path = join(pkgDir, 'node_modules', name, 'package.json');
  return existsSync(path) ? readJson(path) : undefined;
}

const packages = workspaceDirs().map((dir) => ({ dir, manifest: readJson(join(dir, 'package.json')) }));
const workspace = new Map(packages.map((p) => [p.manifest.name, p]));

const violations = []; // { pkg, module, where, why }
let filesRead = 0;
const unchecked = [];

for (const { dir, manifest } of packages) {
  const srcDir = join(dir, 'src');
  if (!existsSync(srcDir)) continue;
  const declared = new Set(DECLARING_FIELDS.flatMap((field) => Object.keys(manifest[field] ?? {})));
  const dev = new Set(Object.keys(manifest.devDependencies ?? {}));

  for (const file of sourceFiles(srcDir)) {
    filesRead++;
    const { found, dynamic } = specifiersOf(file);
    for (const d of dynamic) unchecked.push(`${relative(root, file)}:${d.line} ${d.text}`);
    for (const { spec, line } of found) {
      const name = packageNameOf(spec);
      if (name === undefined || name === manifest.name || declared.has(name)) continue;
      violations.push({
        pkg: manifest.name,
        module: name,
        where: `${relative(root, file)}:${line}`,
        why: `imports '${spec}', ${dev.has(name) ? 'which is only a devDependency' : 'which it does not declare'}`,
      });
    }
  }

  for (const dep of Object.keys(manifest.dependencies ?? {})) {
    const depManifest = installedManifest(dir, dep, workspace);
    if (depManifest === undefined) continue; // not installed: `pnpm install` reports that
    const meta = depManifest.peerDependenciesMeta ?? {};
    for (const peer of Object.keys(depManifest.peerDependencies ?? {})) {
      if (meta[peer]?.optional || declared.has(peer) || peer === manifest.name) continue;
      violations.push({
        pkg: manifest.name,
        module: peer,
        where: `${relative(root, join(dir, 'package.json'))}`,
        why: `depends on ${dep}, whose required peer dependency ${peer} it does not declare${dev.has(peer) ? ' (only a devDependency)' : ''}`,
      });
    }
  }
}

const isKnown = (v) => Object.hasOwn(known[v.pkg] ?? {}, v.module);
const failing = violations.filter((v) => strict || !isKnown(v));
const listed = violations.filter((v) => !strict && isKnown(v));
const stale = Object.entries(known).flatMap(([pkg, modules]) =>
  Object.keys(modules)
    .filter((module) => !violations.some((v) => v.pkg === pkg && v.module === module))
    .map((module) => `${pkg} → ${module}`),
);

const show = (v) => `  ${v.where}  ${v.pkg} ${v.why}`;
if (listed.length > 0) {
  console.log(
    `check-imports: ${listed.length} known violation(s), listed in scripts/check-imports.known.json:`,
  );
  for (const v of listed) console.log(show(v));
}
if (verbose && unchecked.length > 0) {
  console.log(`check-imports: ${unchecked.length} import() with a computed specifier (not checkable):`);
  for (const u of unchecked) console.log(`  ${u}`);
}
if (failing.length > 0) {
  console.error(`check-imports: ${failing.length} undeclared module(s):`);
  for (const v of failing) console.error(show(v));
  console.error(
    'Declare each in dependencies or peerDependencies (optional peers: peerDependenciesMeta) of that package.',
  );
}
if (stale.length > 0) {
  console.error(
    'check-imports: scripts/check-imports.known.json lists what is no longer a violation; remove:',
  );
  for (const s of stale) console.error(`  ${s}`);
}
if (failing.length > 0 || stale.length > 0) process.exit(1);
console.log(
  `check-imports: ${packages.length} workspace packages, ${filesRead} source files: every imported module is declared` +
    (listed.length > 0 ? ` but the ${listed.length} known` : '') +
    (unchecked.length > 0 ? ` (${unchecked.length} computed import() not checkable, see --verbose)` : ''),
);
