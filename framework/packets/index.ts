/** What generated packets modules import: the packet shape, PayloadError and the safe decoder. */
export * from '../protocol/message-type';
export { definePacket, defineRequest, buildRegistry, safeDecode, type ProtoCodec } from './define-packet';
export { FieldKind, linkWireTable, type WireTable, type MessageRules } from './wire-schema';
export { validateMessage, MAX_DEPTH, WireError } from './wire-validator';
