/**
 * The script each action process runs (CommonJS, Node 18 and later), playing DigitalOcean's nodejs runtime:
 * it reads one JSON message on stdin, sets the init parameters as environment variables, loads the
 * action (plain source the way OpenWhisk evaluates it, or an extracted archive through import()),
 * calls `main(event, context)` and reports on fd 3. stdout and stderr stay the action's own, so the
 * parent turns them into activation logs.
 *
 * Messages on fd 3, one JSON per line: start (loading begins; the time limit runs from here),
 * ready (loaded), then one of init-error, result, rejected (a rejected promise: an application
 * error) or thrown (a synchronous throw or a result that is not JSON: a developer error).
 */
export const BOOTSTRAP_SOURCE = String.raw`'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');
const { createRequire } = require('module');
const { pathToFileURL } = require('url');

const REPORT_FD = 3;
const ESM_SYNTAX = /\bimport\b|\bexport\b|import\.meta|top level bodies of modules/;

function report(message) {
  fs.writeSync(REPORT_FD, JSON.stringify(message) + '\n');
}

function readInput() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on('data', (chunk) => chunks.push(chunk));
    process.stdin.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
    process.stdin.on('error', reject);
  });
}

function setEnvironment(env) {
  for (const key of Object.keys(env)) {
    const value = env[key];
    process.env[key] = value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

function describe(error) {
  if (error instanceof Error) return error.stack || String(error);
  return typeof error === 'string' ? error : JSON.stringify(error);
}

function serializeError(error) {
  if (!(error instanceof Error)) return error === undefined ? {} : error;
  const out = { name: error.name, message: error.message, stack: error.stack };
  for (const key of Object.keys(error)) out[key] = error[key];
  return out;
}

async function importEntry(file, name) {
  const loaded = await import(pathToFileURL(file).href);
  if (loaded[name] !== undefined) return loaded[name];
  return loaded.default && typeof loaded.default === 'object' ? loaded.default[name] : undefined;
}

async function loadSource(file, main) {
  const source = fs.readFileSync(file, 'utf8');
  const trailer = '\n;return (function () { try { return ' + main + '; } catch (e) { if (e instanceof ReferenceError) return undefined; throw e; } })();';
  let wrapper;
  try {
    wrapper = vm.compileFunction(source + trailer, ['exports', 'require', 'module', '__filename', '__dirname'], { filename: file });
  } catch (error) {
    if (!(error instanceof SyntaxError) || !ESM_SYNTAX.test(error.message)) throw error;
    const moduleFile = file.replace(/\.js$/, '.mjs');
    if (!fs.existsSync(moduleFile)) fs.writeFileSync(moduleFile, source);
    return importEntry(moduleFile, main);
  }
  const module = { exports: {} };
  const declared = wrapper.call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
  if (declared !== undefined) return declared;
  return module.exports ? module.exports[main] : undefined;
}

async function loadArchive(dir, main) {
  process.chdir(dir);
  const dot = main.indexOf('.');
  const moduleName = dot > 0 ? main.slice(0, dot) : undefined;
  const functionName = dot > 0 ? main.slice(dot + 1) : main;
  const packageFile = path.join(dir, 'package.json');
  if (moduleName === undefined && !fs.existsSync(packageFile) && !fs.existsSync(path.join(dir, 'index.js'))) {
    throw 'Zipped actions must contain either package.json or index.js at the root.';
  }
  const manifest = fs.existsSync(packageFile) ? JSON.parse(fs.readFileSync(packageFile, 'utf8')) : {};
  const target = moduleName !== undefined ? moduleName : manifest.main || 'index.js';
  const entry = createRequire(path.join(dir, 'package.json')).resolve('./' + target);
  return importEntry(entry, functionName);
}

function contextFor(input, deadline) {
  const c = input.context;
  return {
    functionName: c.functionName,
    functionVersion: c.functionVersion,
    activationId: c.activationId,
    requestId: c.requestId,
    deadline: deadline,
    apiHost: c.apiHost,
    namespace: c.namespace,
    getRemainingTimeInMillis() {
      return Math.max(0, deadline - Date.now());
    },
  };
}

function finish(message) {
  try {
    report(message);
  } catch (error) {
    report({ type: 'thrown', error: 'The action did not produce a valid JSON response: ' + describe(error) });
  }
  process.stdout.write('', () => process.stderr.write('', () => process.exit(0)));
}

async function run() {
  const input = await readInput();
  // A caller's synchronous cut may come before the time limit (see invoker.ts).
  const deadline = Date.now() + (input.deadlineMs === undefined ? input.timeoutMs : input.deadlineMs);
  report({ type: 'start' });
  setEnvironment(Object.assign({}, input.env, { __OW_DEADLINE: deadline }));
  let handler;
  try {
    handler = input.code.kind === 'archive' ? await loadArchive(input.code.path, input.main) : await loadSource(input.code.path, input.main);
    if (typeof handler !== 'function') throw "Action entrypoint '" + input.main + "' is not a function.";
  } catch (error) {
    console.error('Error during initialization:', error);
    return finish({ type: 'init-error', error: typeof error === 'string' ? error : describe(error) });
  }
  report({ type: 'ready' });
  let pending;
  try {
    pending = handler(input.params, contextFor(input, deadline));
  } catch (error) {
    console.error(error);
    return finish({ type: 'thrown', error: 'An error has occurred: ' + describe(error) });
  }
  try {
    const value = await pending;
    finish({ type: 'result', result: value === undefined ? {} : value });
  } catch (error) {
    console.error(error);
    finish({ type: 'rejected', error: serializeError(error) });
  }
}

run().catch((error) => {
  console.error(error);
  finish({ type: 'thrown', error: 'An error has occurred: ' + describe(error) });
});
`;
