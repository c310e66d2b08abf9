import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { DIGITALOCEAN_FUNCTIONS, IBM_CODE_ENGINE } from '../lib/catalog/providers';

/**
 * Packages the dynamic function and the sampler for the providers beyond AWS (`npm run build:providers`),
 * from the same handler code the Lambda functions run:
 *
 * - `<out>/ibm-code-engine/`: a container build context (Dockerfile + bundled `server.js`) for Code Engine
 *   applications, built by Code Engine itself (`ibmcloud ce app create --build-source <dir>`), so no Docker
 *   engine is needed here. One image serves every memory size and every sampler, chosen by environment.
 * - `<out>/digitalocean/`: a DigitalOcean Functions project (`project.yml` + one package) deployable with
 *   `doctl serverless deploy <dir>`: a secure web function per memory size and `--samplers` samplers.
 *
 * Usage: `tsx scripts/build-providers.ts [--out dist/providers] [--samplers 10]`
 */
export function buildProviderPackages(outDir: string, samplers = 10): { ibm: string; digitalocean: string } {
  const root = resolve(__dirname, '..');
  const out = resolve(outDir);
  const ibm = join(out, 'ibm-code-engine');
  const digitalocean = join(out, 'digitalocean');
  rmSync(ibm, { recursive: true, force: true });
  rmSync(digitalocean, { recursive: true, force: true });
  mkdirSync(ibm, { recursive: true });
  const common = {
    bundle: true,
    platform: 'node' as const,
    format: 'cjs' as const,
    target: 'node22',
    minify: true,
    legalComments: 'none' as const,
    logLevel: 'silent' as const,
  };
  buildSync({ ...common, entryPoints: [join(root, 'lambda/https/server.ts')], outfile: join(ibm, 'server.js') });
  writeFileSync(
    join(ibm, 'Dockerfile'),
    [
      '# skymesh endpoint for IBM Code Engine: the dynamic function or a sampler, chosen by SKY_FUNCTION.',
      'FROM node:22-slim',
      'WORKDIR /app',
      'COPY server.js .',
      'ENV NODE_ENV=production PORT=8080',
      'USER node',
      'EXPOSE 8080',
      'CMD ["node", "server.js"]',
      '',
    ].join('\n'),
  );
  writeFileSync(join(ibm, '.dockerignore'), '*\n!server.js\n');

  const pkg = join(digitalocean, 'packages', 'sky');
  const functionNames: string[] = [];
  const actions: string[] = [];
  const action = (name: string, memoryMb: number, parameters: Record<string, string>): void => {
    const dir = join(pkg, name);
    mkdirSync(dir, { recursive: true });
    buildSync({
      ...common,
      // DigitalOcean's Node.js runtime (nodejs:18).
      target: 'node18',
      entryPoints: [join(root, 'lambda/https/digitalocean.ts')],
      outfile: join(dir, 'index.js'),
    });
    functionNames.push(name);
    actions.push(
      [
        `      - name: ${name}`,
        '        runtime: nodejs:18',
        '        web: true',
        // DigitalOcean refuses a call without X-Require-Whisk-Auth equal to this secret (from .env at deploy).
        `        webSecure: ${doTemplate('SKY_DO_SECRET')}`,
        '        limits:',
        `          memory: ${memoryMb}`,
        '          timeout: 60000',
        '        parameters:',
        ...Object.entries(parameters).map(([k, v]) => `          ${k}: "${v}"`),
        // Project parameters are final: a request's body cannot replace them.
        '        annotations:',
        '          final: true',
      ].join('\n'),
    );
  };
  for (const mb of DIGITALOCEAN_FUNCTIONS.memorySizes) action(`dynamic-${mb}`, mb, { SKY_FUNCTION: 'dynamic' });
  for (let i = 0; i < samplers; i++) {
    action(`sampler-${String(i).padStart(2, '0')}`, DIGITALOCEAN_FUNCTIONS.samplerMemoryMb, {
      SKY_FUNCTION: 'sampler',
      SKY_SAMPLER_INDEX: String(i),
      SKY_AZ_ID: doTemplate('SKY_AZ_ID'),
    });
  }
  writeFileSync(
    join(digitalocean, 'project.yml'),
    [
      '# skymesh on DigitalOcean Functions: doctl serverless deploy <this directory>',
      'packages:',
      '  - name: sky',
      '    functions:',
      ...actions,
      '',
    ].join('\n'),
  );
  writeFileSync(join(digitalocean, '.env.example'), 'SKY_DO_SECRET=\nSKY_AZ_ID=do-nyc3\n');
  writeFileSync(
    join(out, 'README.txt'),
    [
      'skymesh endpoints for providers beyond AWS; deployment steps: README.md, "Beyond AWS".',
      `IBM Code Engine memory sizes: ${IBM_CODE_ENGINE.memorySizes.join(', ')} MB (vCPU = GB / 4).`,
      `DigitalOcean Functions: ${functionNames.join(', ')}.`,
      '',
    ].join('\n'),
  );
  return { ibm, digitalocean };
}

/** A `${NAME}` placeholder that doctl fills from the project's `.env` at deploy. */
function doTemplate(name: string): string {
  return `\${${name}}`;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const optionOf = (flag: string): string | undefined => {
    const at = args.indexOf(flag);
    return at >= 0 ? args[at + 1] : undefined;
  };
  const samplers = Number(optionOf('--samplers') ?? '10');
  if (!Number.isInteger(samplers) || samplers < 0 || samplers > 100) {
    console.error(`--samplers must be an integer from 0 to 100, not ${optionOf('--samplers')}`);
    process.exit(2);
  }
  const built = buildProviderPackages(optionOf('--out') ?? 'dist/providers', samplers);
  console.log(`IBM Code Engine build context: ${built.ibm}\nDigitalOcean Functions project: ${built.digitalocean}`);
}
