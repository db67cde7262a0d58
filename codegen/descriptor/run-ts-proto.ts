import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as protobuf from 'protobufjs';
import type { FileDescriptor } from './build-descriptors';

/**
 * ts-proto's options for FastPort (see docs/codegen.md): binary codecs only (no JSON methods, no services),
 * optional message fields, oneofs as `{ $case, value }` unions, 64-bit integers as `number` (values above
 * 2^53 fail to decode: BAD_PAYLOAD), google.protobuf.Timestamp as Date, no version stamp (deterministic).
 */
export const TS_PROTO_PARAMETER = [
  'esModuleInterop=true',
  'env=node',
  'outputJsonMethods=false',
  'outputServices=none',
  'useOptionals=messages',
  'oneof=unions-value',
  'forceLong=number',
  'useDate=true',
  'exportCommonSymbols=false',
  'annotateFilesWithVersion=false',
  'useExactTypes=false',
].join(',');

let pluginTypes: { request: protobuf.Type; response: protobuf.Type } | undefined;

/** CodeGeneratorRequest / Response from the descriptor.proto and plugin.proto bundled with protobufjs. */
function pluginMessages(): { request: protobuf.Type; response: protobuf.Type } {
  if (pluginTypes) return pluginTypes;
  const dir = path.dirname(require.resolve('protobufjs/package.json'));
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => path.join(dir, target);
  root.loadSync(['google/protobuf/descriptor.proto', 'google/protobuf/compiler/plugin.proto'], {
    keepCase: true,
  });
  pluginTypes = {
    request: root.lookupType('google.protobuf.compiler.CodeGeneratorRequest'),
    response: root.lookupType('google.protobuf.compiler.CodeGeneratorResponse'),
  };
  return pluginTypes;
}

export interface GeneratedFile {
  readonly name: string;
  readonly content: string;
}

/** Runs ts-proto's protoc plugin (a child process reading a CodeGeneratorRequest on stdin), offline. */
export function runTsProto(filesToGenerate: string[], protoFiles: FileDescriptor[]): GeneratedFile[] {
  const { request, response } = pluginMessages();
  const message = request.fromObject({
    file_to_generate: filesToGenerate,
    parameter: TS_PROTO_PARAMETER,
    proto_file: protoFiles,
  });
  const input = request.encode(message).finish();
  const plugin = require.resolve('ts-proto/protoc-gen-ts_proto');
  const result = spawnSync(process.execPath, [plugin], { input, maxBuffer: 256 * 1024 * 1024 });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`ts-proto failed (exit ${result.status}): ${result.stderr.toString('utf8')}`);
  }
  const decoded = response.toObject(response.decode(result.stdout), { defaults: false }) as {
    error?: string;
    file?: { name?: string; content?: string }[];
  };
  if (decoded.error) throw new Error(`ts-proto: ${decoded.error}`);
  return (decoded.file ?? []).map((f) => ({ name: f.name ?? '', content: f.content ?? '' }));
}
