/**
 * vega-lite's spec type. vega-lite is an ES module and this package is CommonJS, so TypeScript needs
 * the `resolution-mode` attribute to read its types; written as an import type expression, which the
 * linter accepts (it refuses attributes on `import type` declarations).
 */
export type TopLevelSpec = import('vega-lite', { with: { 'resolution-mode': 'import' }}).TopLevelSpec;
