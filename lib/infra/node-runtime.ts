/**
 * The Node.js major version every skymesh function runs (`SKY_RUNTIME`, the newest Node.js runtime aws-cdk-lib
 * offers) and its bundles are compiled for. A module of its own so that bundling.ts shares it without importing the
 * stacks, and the runtime tests and the INIT benchmark, which bundle the handlers too, without loading aws-cdk-lib.
 */
export const SKY_NODE_MAJOR = 26;

/** esbuild's `target` for the functions' bundles: the runtime's Node.js version. */
export const SKY_BUNDLE_TARGET = `node${SKY_NODE_MAJOR}`;
