import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { preProcessFile } from 'typescript';

/**
 * The layering of DESIGN.md, checked on the sources: every `import`, `export … from`, `require` and
 * `import()` of every file under `lib/` and `lambda/`.
 */

const ROOT = resolve(__dirname, '..', '..');

/** Packages the core may use besides itself: pure code, no I/O, no AWS SDK. */
const CORE_PACKAGES = new Set(['zod']);
/** Node builtins the core may use: none that reach files, processes, threads or the network. */
const CORE_BUILTINS = new Set(['assert', 'buffer', 'crypto', 'util']);
/** The only layers that may load a handler, and only through its entry. */
const HANDLER_LOADERS = ['lib/twin/', 'lib/local/'];
/** A handler's entry: `lambda/<name>` or `lambda/<name>/index`. */
const HANDLER_ENTRY = /^lambda\/[a-z0-9-]+(\/index)?(\.ts)?$/;
/**
 * The lower layers of lib/ and what each may import besides itself (DESIGN.md: the engine, `routing` and
 * `sampling`, builds on core and contracts; `aws` implements the engine's interfaces). The layers above
 * (config, providers, infra, twin, local, report, cli) may import these.
 */
const LOWER_LAYERS: Readonly<Record<string, readonly string[]>> = {
  contracts: ['core'],
  workloads: ['contracts'],
  catalog: ['core', 'contracts'],
  routing: ['core', 'contracts', 'catalog'],
  sampling: ['core', 'contracts', 'catalog'],
  aws: ['core', 'contracts', 'catalog', 'routing', 'sampling'],
};
/** What a handler must not depend on: the emulation, the CLI, the report and the CDK constructs. */
const NOT_FOR_HANDLERS = ['lib/twin/', 'lib/local/', 'lib/cli/', 'lib/report/', 'lib/infra/'];

interface Source {
  /** Path from the repository root, e.g. `lib/core/router.ts`. */
  readonly path: string;
  readonly text: string;
}

/** Every rule an import of `from` breaks, as readable lines (empty when it keeps them all). */
function importViolations(sources: readonly Source[]): string[] {
  const violations: string[] = [];
  for (const { path, text } of sources) {
    for (const { fileName: specifier } of preProcessFile(text, true, true).importedFiles) {
      const broken = ruleBroken(path, specifier);
      if (broken) violations.push(`${path} imports '${specifier}': ${broken}`);
    }
  }
  return violations;
}

function ruleBroken(from: string, specifier: string): string | undefined {
  const relativeImport = specifier.startsWith('.');
  const target = relativeImport ? relative(ROOT, resolve(ROOT, dirname(from), specifier)) : undefined;
  if (from.startsWith('lib/core/')) {
    if (target !== undefined) {
      return target.startsWith('lib/core/') ? undefined : 'lib/core imports nothing outside lib/core';
    }
    const builtin = specifier.replace(/^node:/, '');
    if (builtinModules.includes(builtin)) {
      return CORE_BUILTINS.has(builtin) ? undefined : `lib/core does no I/O (allowed builtins: ${[...CORE_BUILTINS]})`;
    }
    const pkg = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
    return CORE_PACKAGES.has(pkg) ? undefined : `lib/core uses no package but ${[...CORE_PACKAGES]}`;
  }
  if (target === undefined) return undefined;
  const [fromRoot, fromLayer] = from.split('/');
  const [targetRoot, targetLayer] = target.split('/');
  const allowed = fromRoot === 'lib' ? LOWER_LAYERS[fromLayer!] : undefined;
  if (allowed && targetRoot === 'lib' && targetLayer !== fromLayer && !allowed.includes(targetLayer!)) {
    return `lib/${fromLayer} imports only ${allowed.map((l) => `lib/${l}`).join(', ')} besides itself`;
  }
  if (from.startsWith('lib/') && (target === 'lambda' || target.startsWith('lambda/'))) {
    if (from.startsWith('lib/infra/')) return 'lib/infra imports nothing from lambda/';
    if (!HANDLER_LOADERS.some((layer) => from.startsWith(layer))) {
      return 'only lib/twin and lib/local load handlers';
    }
    return HANDLER_ENTRY.test(target) ? undefined : 'a handler is loaded only through its entry, lambda/<name>/index';
  }
  if (from.startsWith('lambda/')) {
    const layer = NOT_FOR_HANDLERS.find((l) => target.startsWith(l));
    if (layer) return `a handler does not depend on ${layer}`;
    const [, own] = from.split('/');
    const [root, other] = target.split('/');
    if (root === 'lambda' && other !== own && other !== 'shared' && !HANDLER_ENTRY.test(target)) {
      return 'a handler uses another handler only through its entry, lambda/<name>/index';
    }
  }
  return undefined;
}

function sourcesUnder(folder: string): Source[] {
  const found: Source[] = [];
  for (const entry of readdirSync(join(ROOT, folder), { withFileTypes: true })) {
    const path = `${folder}/${entry.name}`;
    if (entry.isDirectory()) found.push(...sourcesUnder(path));
    else if (entry.name.endsWith('.ts')) found.push({ path, text: readFileSync(join(ROOT, path), 'utf8') });
  }
  return found;
}

describe('imports go one way', () => {
  it('holds for every source of lib/ and lambda/', () => {
    const sources = [...sourcesUnder('lib'), ...sourcesUnder('lambda')];
    expect(sources.length).toBeGreaterThan(200);
    expect(sources.some((s) => s.path === 'lib/twin/handlers.ts')).toBe(true);
    expect(importViolations(sources)).toEqual([]);
  });

  it.each([
    ['lib/core/router.ts', "import { z } from 'zod';"],
    ['lib/core/router.ts', "import { createHash } from 'node:crypto';"],
    ['lib/core/router.ts', "import type { Arch } from './types';"],
    ['lib/core/strategies/hybrid.ts', "import type { Arch } from '../types';"],
    ['lib/twin/handlers.ts', "import { createDynamicHandler } from '../../lambda/dynamic/index';"],
    ['lib/local/run-local-sky.ts', "import { createRouterHandler } from '../../lambda/router';"],
    ['lib/routing/service.ts', "import { Router } from '../core/router';"],
    ['lib/routing/request.ts', "import { providerRegion } from '../catalog/providers';"],
    ['lib/aws/store.ts', "import type { RouterStore } from '../routing/types';"],
    ['lib/workloads/types.ts', "import type { WorkloadSize } from '../contracts';"],
    ['lib/twin/routing.ts', "import { RoutingService } from '../routing/service';"],
    ['lambda/router/index.ts', "import { SkyStore } from '../../lib/aws/store';"],
    ['lib/infra/bundling.ts', "const entry = 'lambda/dynamic/index.ts';"],
    ['lambda/https/entry.ts', "import { createDynamicHandler } from '../dynamic/index';"],
    ['lambda/fanout/handler.ts', "import { PollAccumulator } from './aggregate';"],
    ['lambda/dynamic/index.ts', "import { nodePlatform } from '../shared/platform';"],
  ])('allows %s to %s', (path, text) => {
    expect(importViolations([{ path, text }])).toEqual([]);
  });

  it.each([
    ['lib/core/router.ts', "import { RoutingService } from '../routing/service';", 'nothing outside lib/core'],
    ['lib/core/router.ts', "import { readFileSync } from 'node:fs';", 'does no I/O'],
    ['lib/core/router.ts', "import { LambdaClient } from '@aws-sdk/client-lambda';", 'uses no package'],
    ['lib/core/router.ts', "const fs = require('fs');", 'does no I/O'],
    [
      'lib/twin/burst.ts',
      "import type { WorkloadRunner } from '../../lambda/dynamic/runner';",
      'only through its entry',
    ],
    ['lib/local/servers.ts', "import { nodePlatform } from '../../lambda/shared/platform';", 'only through its entry'],
    ['lib/cli/router-options.ts', "import { WORKLOADS } from '../../lambda/workloads';", 'only lib/twin and lib/local'],
    ['lib/routing/follow.ts', "export { handler } from '../../lambda/router/index';", 'only lib/twin and lib/local'],
    [
      'lib/infra/sampling.ts',
      "import { samplerSource } from '../../lambda/sampler/index';",
      'lib/infra imports nothing',
    ],
    ['lambda/dynamic/handler.ts', "import { Twin } from '../../lib/twin/twin';", 'does not depend on lib/twin/'],
    ['lib/routing/follow.ts', "import { SkyStore } from '../aws/store';", 'lib/routing imports only lib/core'],
    ['lib/sampling/steps.ts', "import { TwinClock } from '../twin/clock';", 'lib/sampling imports only lib/core'],
    ['lib/contracts/limits.ts', "import { WORKLOADS } from '../workloads';", 'lib/contracts imports only lib/core'],
    ['lib/workloads/zipper.ts', "import { Router } from '../core/router';", 'lib/workloads imports only lib/contracts'],
    ['lib/aws/store.ts', "import { startLocalSky } from '../local/run-local-sky';", 'lib/aws imports only lib/core'],
    ['lambda/router/index.ts', "const m = import('../../lib/infra/sky-mesh');", 'does not depend on lib/infra/'],
    ['lambda/https/entry.ts', "import { createDynamicHandler } from '../dynamic/handler';", 'only through its entry'],
  ])('refuses %s: %s', (path, text, rule) => {
    const violations = importViolations([{ path, text }]);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toContain(rule);
  });
});
