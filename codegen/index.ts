/** @fastport/codegen: the generator, the `fastport` command line (gen, new) and the project templates. */
export { generate, GENERATED_HEADER, PROJECT_RUNTIME_IMPORT, type GenerateOptions } from './generate';
export { main, type CliInfo } from './cli/main';
