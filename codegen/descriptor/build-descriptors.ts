import * as protobuf from 'protobufjs';
import type { ProtoFile, ProtoSet } from '../load/proto-loader';
import { jsonName, mapEntryName } from './names';

/**
 * protoc-faithful FileDescriptorProtos (as plain objects with descriptor.proto's snake_case field names)
 * built from protobufjs's parsed tree: map entry types `XxxEntry` with map_entry, json names, oneof
 * indexes, proto3 optional fields as synthetic oneofs placed after the real ones, nested types and enums.
 * Services, extensions and custom options are left out: ts-proto does not need them here.
 */
export interface FieldDescriptor {
  name: string;
  number: number;
  label: number;
  type: number;
  type_name?: string;
  json_name: string;
  oneof_index?: number;
  proto3_optional?: boolean;
  default_value?: string;
  options?: { packed?: boolean; deprecated?: boolean };
}

export interface EnumDescriptor {
  name: string;
  value: { name: string; number: number }[];
  options?: { allow_alias?: boolean };
}

export interface MessageDescriptor {
  name: string;
  field: FieldDescriptor[];
  nested_type: MessageDescriptor[];
  enum_type: EnumDescriptor[];
  oneof_decl: { name: string }[];
  options?: { map_entry?: boolean };
}

/** A SourceCodeInfo.Location carrying a comment (ts-proto turns it into JSDoc). */
export interface CommentLocation {
  path: number[];
  leading_comments: string;
}

export interface FileDescriptor {
  name: string;
  source_code_info?: { location: CommentLocation[] };
  package?: string;
  dependency: string[];
  message_type: MessageDescriptor[];
  enum_type: EnumDescriptor[];
  syntax?: string;
}

const LABEL_OPTIONAL = 1;
const LABEL_REQUIRED = 2;
const LABEL_REPEATED = 3;

/** FieldDescriptorProto.Type numbers of the scalar types. */
export const SCALAR_TYPES: Readonly<Record<string, number>> = {
  double: 1,
  float: 2,
  int64: 3,
  uint64: 4,
  int32: 5,
  fixed64: 6,
  fixed32: 7,
  bool: 8,
  string: 9,
  bytes: 12,
  uint32: 13,
  sfixed32: 15,
  sfixed64: 16,
  sint32: 17,
  sint64: 18,
};
export const TYPE_GROUP = 10;
export const TYPE_MESSAGE = 11;
export const TYPE_ENUM = 14;

function typeOf(
  typeName: string,
  resolved: protobuf.Type | protobuf.Enum | null,
  delimited: boolean,
): { type: number; type_name?: string } {
  const scalar = SCALAR_TYPES[typeName];
  if (scalar !== undefined) return { type: scalar };
  if (resolved instanceof protobuf.Enum) return { type: TYPE_ENUM, type_name: resolved.fullName };
  if (resolved instanceof protobuf.Type) {
    return { type: delimited ? TYPE_GROUP : TYPE_MESSAGE, type_name: resolved.fullName };
  }
  throw new Error(`unresolved type ${typeName}`);
}

function isSyntheticOneof(oneof: protobuf.OneOf): boolean {
  return oneof.fieldsArray.length === 1 && oneof.fieldsArray[0].options?.proto3_optional === true;
}

function isGroupField(field: protobuf.Field): boolean {
  return field.resolvedType instanceof protobuf.Type && (field.resolvedType as { group?: boolean }).group === true;
}

// Descriptor field numbers used in SourceCodeInfo paths.
const FILE_MESSAGE = 4;
const FILE_ENUM = 5;
const MESSAGE_FIELD = 2;
const MESSAGE_NESTED = 3;
const MESSAGE_ENUM = 4;
const MESSAGE_ONEOF = 8;
const ENUM_VALUE = 2;
const FILE_SYNTAX = 12;

function addComment(comments: CommentLocation[], path: number[], comment: string | null | undefined): void {
  if (comment) comments.push({ path, leading_comments: comment });
}

function buildEnum(e: protobuf.Enum, path: number[], comments: CommentLocation[]): EnumDescriptor {
  addComment(comments, path, e.comment);
  Object.keys(e.values).forEach((name, i) => addComment(comments, [...path, ENUM_VALUE, i], e.comments?.[name]));
  const desc: EnumDescriptor = {
    name: e.name,
    value: Object.keys(e.values).map((name) => ({ name, number: e.values[name] })),
  };
  if (e.options?.allow_alias) desc.options = { allow_alias: true };
  return desc;
}

function defaultValue(field: protobuf.Field): string | undefined {
  const value: unknown = field.options?.default;
  if (value === undefined) return undefined;
  return String(value);
}

function buildMessage(
  type: protobuf.Type,
  syntax: string,
  path: number[],
  comments: CommentLocation[],
): MessageDescriptor {
  addComment(comments, path, type.comment);
  const realOneofs = type.oneofsArray.filter((o) => !isSyntheticOneof(o));
  const syntheticOneofs = type.oneofsArray.filter(isSyntheticOneof);
  const oneofs = [...realOneofs, ...syntheticOneofs];
  const mapEntries: MessageDescriptor[] = [];
  oneofs.forEach((o, i) => addComment(comments, [...path, MESSAGE_ONEOF, i], o.comment));
  const fields = type.fieldsArray.map((field, index): FieldDescriptor => {
    addComment(comments, [...path, MESSAGE_FIELD, index], field.comment);
    const out: FieldDescriptor = {
      name: field.name,
      number: field.id,
      label: LABEL_OPTIONAL,
      json_name: jsonName(field.name),
      type: 0,
    };
    if (field instanceof protobuf.MapField) {
      const entryName = mapEntryName(field.name);
      mapEntries.push(buildMapEntry(entryName, field));
      out.label = LABEL_REPEATED;
      out.type = TYPE_MESSAGE;
      out.type_name = `${type.fullName}.${entryName}`;
    } else {
      const resolved = field.resolvedType as protobuf.Type | protobuf.Enum | null;
      Object.assign(out, typeOf(field.type, resolved, isGroupField(field)));
      if (field.repeated) out.label = LABEL_REPEATED;
      else if (field.required) out.label = LABEL_REQUIRED;
    }
    if (field.partOf) out.oneof_index = oneofs.indexOf(field.partOf);
    if (field.options?.proto3_optional) out.proto3_optional = true;
    const def = syntax === 'proto2' ? defaultValue(field) : undefined;
    if (def !== undefined) out.default_value = def;
    const packed = field.options?.packed;
    if (typeof packed === 'boolean') out.options = { packed };
    if (field.options?.deprecated === true) out.options = { ...out.options, deprecated: true };
    return out;
  });
  const nested = type.nestedArray.filter((n): n is protobuf.Type => n instanceof protobuf.Type);
  const enums = type.nestedArray.filter((n): n is protobuf.Enum => n instanceof protobuf.Enum);
  return {
    name: type.name,
    field: fields,
    nested_type: [
      ...nested.map((t, i) => buildMessage(t, syntax, [...path, MESSAGE_NESTED, i], comments)),
      ...mapEntries,
    ],
    enum_type: enums.map((e, i) => buildEnum(e, [...path, MESSAGE_ENUM, i], comments)),
    oneof_decl: oneofs.map((o) => ({ name: o.name })),
  };
}

function buildMapEntry(name: string, field: protobuf.MapField): MessageDescriptor {
  const resolved = field.resolvedType as protobuf.Type | protobuf.Enum | null;
  return {
    name,
    field: [
      { name: 'key', number: 1, label: LABEL_OPTIONAL, json_name: 'key', ...typeOf(field.keyType, null, false) },
      { name: 'value', number: 2, label: LABEL_OPTIONAL, json_name: 'value', ...typeOf(field.type, resolved, false) },
    ],
    nested_type: [],
    enum_type: [],
    oneof_decl: [],
    options: { map_entry: true },
  };
}

/** Top-level declarations of `file`, in declaration order. */
function topLevel(set: ProtoSet, file: ProtoFile): protobuf.ReflectionObject[] {
  const out: protobuf.ReflectionObject[] = [];
  const visit = (ns: protobuf.NamespaceBase) => {
    for (const obj of ns.nestedArray) {
      if ((obj instanceof protobuf.Type || obj instanceof protobuf.Enum) && set.fileOf.get(obj) === file) out.push(obj);
      else if (obj instanceof protobuf.Namespace && !(obj instanceof protobuf.Type)) visit(obj);
    }
  };
  visit(set.root);
  return out;
}

export function buildFileDescriptor(set: ProtoSet, file: ProtoFile, dropImports: ReadonlySet<string>): FileDescriptor {
  const decls = topLevel(set, file);
  const comments: CommentLocation[] = [];
  addComment(comments, [FILE_SYNTAX], file.headerComment);
  const desc: FileDescriptor = {
    name: file.name,
    dependency: file.imports.filter((d) => !dropImports.has(d)),
    message_type: decls
      .filter((d): d is protobuf.Type => d instanceof protobuf.Type)
      .map((t, i) => buildMessage(t, file.syntax, [FILE_MESSAGE, i], comments)),
    enum_type: decls
      .filter((d): d is protobuf.Enum => d instanceof protobuf.Enum)
      .map((e, i) => buildEnum(e, [FILE_ENUM, i], comments)),
  };
  if (comments.length > 0) desc.source_code_info = { location: comments };
  if (file.packageName) desc.package = file.packageName;
  if (file.syntax === 'proto3') desc.syntax = 'proto3';
  return desc;
}
