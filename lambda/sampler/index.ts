/**
 * The sampler. Lambda runs no bundle for it: each sampler function's code is the generated inline
 * source (`samplerSource` in `lib/sampling/sampler-source.ts`) as `index.js`. Hosts other than Lambda (the
 * twin's emulated instances, an HTTPS endpoint) run that same source through `loadSamplerHandler`.
 */
export { type LoadSamplerOptions, loadSamplerHandler, type SamplerHandler } from './load';
