import type { Packet } from './collect-packets';
import { buildWireTable, emitWireTable } from './emit-wire-table';

/** Names the packets module declares itself; a packet may not take them. */
export const RESERVED_EXPORTS = new Set(['registry', 'ResponseMap', 'PacketById']);

function moduleAlias(protoName: string): string {
  return 'pb_' + protoName.replace(/\.proto$/, '').replace(/[^A-Za-z0-9_]/g, '_');
}

function modulePath(protoName: string): string {
  return './' + protoName.replace(/\.proto$/, '');
}

/**
 * The dispatch module of a proto set: per packet a type alias and a constant of the same name
 * (`export type LoginReq` + `export const LoginReq: RequestType<LoginReq, LoginRes>`), the id registry
 * and type-level maps. Responses and one-way messages come first so requests can refer to them.
 */
export function emitPacketsModule(packets: readonly Packet[], runtimeImport: string): string {
  const ordered = [
    ...packets.filter((p) => p.kind !== 'request'),
    ...packets.filter((p) => p.kind === 'request'),
  ];
  const files = [...new Set(packets.map((p) => p.file.name))].sort();
  const { entries, indexOf } = buildWireTable(packets.map((p) => p.type));
  const out: string[] = [];
  out.push(`import * as $rt from '${runtimeImport}';`);
  for (const file of files) out.push(`import * as ${moduleAlias(file)} from '${modulePath(file)}';`);
  out.push('');
  out.push(
    '/** Wire facts for the safe decoder: per message `[field, kind, message index]` (kinds: $rt.FieldKind). */',
  );
  out.push(`const $wire = $rt.linkWireTable(${emitWireTable(entries)});`);
  for (const p of ordered) {
    const pb = `${moduleAlias(p.file.name)}.${p.tsName}`;
    const wire = `$wire[${indexOf.get(p.type)}]`;
    out.push('');
    out.push(`/** ${p.fullName} (id ${p.id}, ${p.kind}${p.response ? ` -> ${p.response.tsName}` : ''}) */`);
    out.push(`export type ${p.tsName} = ${pb};`);
    if (p.kind === 'request' && p.response) {
      const res = p.response.tsName;
      out.push(
        `export const ${p.tsName}: $rt.RequestType<${p.tsName}, ${res}> = $rt.defineRequest(${p.id}, '${p.fullName}', ${pb}, ${wire}, ${res});`,
      );
    } else {
      out.push(
        `export const ${p.tsName}: $rt.MessageType<${p.tsName}> = $rt.definePacket(${p.id}, '${p.fullName}', '${p.kind}', ${pb}, ${wire});`,
      );
    }
  }
  const byId = [...packets].sort((a, b) => a.id - b.id);
  out.push('');
  out.push('/** Every packet of this proto set by message id. */');
  out.push(`export const registry: ReadonlyMap<number, $rt.MessageType> = $rt.buildRegistry([`);
  for (const p of byId) out.push(`  ${p.tsName},`);
  out.push(']);');
  out.push('');
  out.push('/** Request name -> its response message type. */');
  out.push('export interface ResponseMap {');
  for (const p of byId)
    if (p.kind === 'request' && p.response) out.push(`  ${p.tsName}: ${p.response.tsName};`);
  out.push('}');
  out.push('');
  out.push('/** Message id -> message type. */');
  out.push('export interface PacketById {');
  for (const p of byId) out.push(`  ${p.id}: ${p.tsName};`);
  out.push('}');
  return out.join('\n') + '\n';
}
