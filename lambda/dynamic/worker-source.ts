import { MAX_ERROR_TEXT_CHARS, MAX_REQUEST_DEPTH } from './request';

/**
 * The program of a sent-code worker thread, as source text: a worker started from text (`eval: true`)
 * runs the same under Lambda's esbuild bundle, the test runner and tsx, where a worker file would need
 * each one's own loader.
 *
 * One worker runs one module (one source hash and bundle folder). It compiles the source the way Node
 * wraps a CommonJS file, runs its body once (like a Lambda init phase), then serves calls of its entry.
 * Between calls the thread blocks in `Atomics.wait` until the main thread hands it the next call, so
 * nothing the code left behind on this thread (timers, I/O callbacks, promise chains) runs outside a call of that
 * same code. The worker measures the user code's own time, checks that the result survives JSON and sends it
 * as JSON text. It is handed none of the main thread's objects: only the messages below.
 *
 * Messages, main → worker (after `Atomics.notify` on `workerData.signal`):
 *   { id, load?: { source, filename, dir }, entry?, input, context: { tmpDir, bundleDir?, instance }, budgetMs }
 * worker → main:
 *   { id, ok: true, json, loadMs, userMs } or { id, ok: false, error: { type, message, stack?, field? }, loadMs, userMs }
 */
export const WORKER_SOURCE = String.raw`
'use strict';
const { parentPort, workerData, receiveMessageOnPort } = require('node:worker_threads');
const threads = require('node:worker_threads');
const Module = require('node:module');
const { createRequire } = Module;
const vm = require('node:vm');
// Taken before any sent code runs, which may replace globals in this thread.
const signal = new Int32Array(workerData.signal);
const wait = Atomics.wait;
const store = Atomics.store;
const apply = Reflect.apply;
const stringify = JSON.stringify;
const now = performance.now.bind(performance);
const wallNow = Date.now;
const post = parentPort.postMessage.bind(parentPort);
const toTag = Object.prototype.toString;
const timeOf = Date.prototype.getTime;
const finite = Number.isFinite;
const isArray = Array.isArray;
const keysOf = Object.keys;
const every = setInterval;
const stopEvery = clearInterval;
let loaded;

// Threads the code starts and that still run: between calls this thread is blocked, but they are not, so the main
// thread ends this module's worker (and with it every thread it started) after a call that leaves one running.
let liveThreads = 0;
const NodeWorker = threads.Worker;
threads.Worker = class Worker extends NodeWorker {
  constructor(...args) {
    super(...args);
    liveThreads++;
    this.once('exit', () => {
      liveThreads--;
    });
  }
};

// An error's text is cut to this many characters: the answer must fit Lambda's 6 MB response, or the
// caller gets the platform's error instead of the code's.
const MAX_ERROR_CHARS = ${MAX_ERROR_TEXT_CHARS};

function cut(text) {
  return text.length > MAX_ERROR_CHARS ? text.slice(0, MAX_ERROR_CHARS) + '... (' + (text.length - MAX_ERROR_CHARS) + ' more characters)' : text;
}

function describe(error) {
  try {
    if (error instanceof Error || toTag.call(error) === '[object Error]') {
      return { message: cut(String(error.name) + ': ' + String(error.message)), stack: typeof error.stack === 'string' ? cut(error.stack) : undefined };
    }
    let text;
    try {
      text = stringify(error);
    } catch {
      text = undefined;
    }
    return { message: cut('threw ' + (text === undefined ? String(error) : text)) };
  } catch {
    // A thrown value whose name, message, toJSON or toString itself throws.
    return { message: 'threw a value that cannot be described' };
  }
}

function userError(error, context) {
  const described = describe(error);
  return { type: 'UserCodeError', message: context ? context + ': ' + described.message : described.message, stack: described.stack };
}

// Why a value would not survive JSON as the caller expects (JSON drops functions and symbols, turns Map
// and Set into {}, NaN, the infinities and an invalid Date into null, and throws on BigInt and cycles), with the
// path of the offending value.
function unserializable(value, path, ancestors) {
  if (ancestors.size >= ${MAX_REQUEST_DEPTH}) return 'the result nests objects or arrays more than ${MAX_REQUEST_DEPTH} levels deep';
  switch (typeof value) {
    case 'bigint': return path + ' is a BigInt (JSON has no BigInt; convert it to a string)';
    case 'function': return path + ' is a function';
    case 'symbol': return path + ' is a symbol';
    case 'number': return finite(value) ? undefined : path + ' is ' + value + ' (JSON turns it into null)';
    case 'object': break;
    default: return undefined;
  }
  if (value === null) return undefined;
  if (toTag.call(value) === '[object Date]' && !finite(apply(timeOf, value, []))) {
    return path + ' is an invalid Date (JSON turns it into null)';
  }
  if (typeof value.toJSON === 'function') return unserializable(value.toJSON(), path, ancestors);
  const tag = toTag.call(value);
  if (tag === '[object Map]' || tag === '[object Set]') {
    return path + ' is a ' + tag.slice(8, -1) + ' (JSON turns it into {}; convert it to an object or array)';
  }
  if (ancestors.has(value)) return path + ' refers back to one of its ancestors (a cycle)';
  if (ArrayBuffer.isView(value)) return undefined;
  ancestors.add(value);
  try {
    if (isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const reason = unserializable(value[i], path + '[' + i + ']', ancestors);
        if (reason) return reason;
      }
      return undefined;
    }
    for (const key of keysOf(value)) {
      const reason = unserializable(value[key], path + '.' + key, ancestors);
      if (reason) return reason;
    }
    return undefined;
  } finally {
    ancestors.delete(value);
  }
}

// Node looks a bare require up in every node_modules folder above the requiring file, so code in the scratch folder
// (or a bundle unpacked there) would load whatever another module left in the scratch folder's node_modules. This
// module looks up only its own bundle's node_modules and the runtime's. Module._nodeModulePaths is Node's own lookup
// list (undocumented, unchanged since Node 0.x); where it is missing, lookups stay as Node makes them.
function keepLookupsOwn(scratchDir, bundleDir) {
  const lookups = Module._nodeModulePaths;
  if (typeof lookups !== 'function' || typeof scratchDir !== 'string' || scratchDir === '') return;
  const scratch = scratchDir.endsWith('/') ? scratchDir : scratchDir + '/';
  const own = typeof bundleDir === 'string' ? (bundleDir.endsWith('/') ? bundleDir : bundleDir + '/') : undefined;
  Module._nodeModulePaths = function (from) {
    return apply(lookups, this, [from]).filter((dir) => !dir.startsWith(scratch) || (own !== undefined && dir.startsWith(own)));
  };
}

function load(message, context) {
  keepLookupsOwn(context && context.tmpDir, context && context.bundleDir);
  let wrapper;
  try {
    wrapper = new vm.Script('(function (exports, require, module, __filename, __dirname) {' + message.source + '\n})', {
      filename: message.filename,
    }).runInThisContext();
  } catch (error) {
    return userError(error, 'the code does not compile');
  }
  const module = { exports: {} };
  try {
    apply(wrapper, module.exports, [module.exports, createRequire(message.filename), module, message.filename, message.dir]);
  } catch (error) {
    return userError(error, 'the module body threw');
  }
  loaded = module;
  return undefined;
}

function entryOf(entry) {
  const name = entry === undefined ? 'run' : entry;
  const exported = loaded.exports;
  const fn = typeof exported === 'function' && entry === undefined ? exported : exported == null ? undefined : exported[name];
  if (typeof fn === 'function') return { fn, self: exported };
  const names = exported != null && typeof exported === 'object' ? keysOf(exported).filter((k) => typeof exported[k] === 'function') : [];
  return {
    error: {
      type: 'BadRequest',
      field: 'code.entry',
      message: 'the module exports no function \'' + name + '\'; its exported functions: ' + (names.length > 0 ? names.join(', ') : '(none)'),
    },
  };
}

async function serve(message) {
  let loadMs = 0;
  if (message.load) {
    const started = now();
    const failed = load(message.load, message.context);
    loadMs = now() - started;
    if (failed) return { id: message.id, ok: false, error: failed, loadMs, userMs: 0, unloaded: true };
  }
  const found = entryOf(message.entry);
  if (found.error) return { id: message.id, ok: false, error: found.error, loadMs, userMs: 0 };
  const deadline = wallNow() + message.budgetMs;
  const context = {
    tmpDir: message.context.tmpDir,
    instance: message.context.instance,
    remainingMs: () => Math.max(0, deadline - wallNow()),
  };
  if (message.context.bundleDir !== undefined) context.bundleDir = message.context.bundleDir;
  const started = now();
  let value;
  try {
    value = await apply(found.fn, found.self, [message.input, context]);
  } catch (error) {
    return { id: message.id, ok: false, error: userError(error), loadMs, userMs: now() - started };
  }
  const userMs = now() - started;
  try {
    const reason = unserializable(value, '$', new Set());
    if (reason) return { id: message.id, ok: false, error: { type: 'Unserializable', message: 'the result cannot be sent as JSON: ' + reason }, loadMs, userMs };
    return { id: message.id, ok: true, json: value === undefined ? 'null' : stringify(value), loadMs, userMs };
  } catch (error) {
    return { id: message.id, ok: false, error: { type: 'Unserializable', message: 'the result cannot be sent as JSON: ' + describe(error).message }, loadMs, userMs };
  }
}

function next() {
  wait(signal, 0, 0);
  store(signal, 0, 0);
  const received = receiveMessageOnPort(parentPort);
  if (received === undefined) return next();
  // Keeps the thread's event loop alive for the call: a promise that can never settle runs into the
  // deadline, as on Lambda, instead of ending the thread.
  const alive = every(() => {}, 1 << 30);
  serve(received.message).then((reply) => {
    stopEvery(alive);
    // Every answer says how many of the code's threads still run, whatever the call answered.
    reply.threads = liveThreads;
    post(reply);
    next();
  });
}

next();
`;
