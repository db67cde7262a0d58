// Injected into the browser bundles by esbuild: every use of the global `Buffer` (bytes fields of the
// generated messages) becomes this import of the `buffer` package, the Node Buffer API for browsers.
export { Buffer } from 'buffer';
