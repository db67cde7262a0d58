/** Public API of the transport layer. */
export * from './transport';
export * from './close-reason';
export { createTransport, resolveEngine } from './create-transport';
export { defaultLimits, resolveOptions, MAX_FRAME_BYTES, MIN_FRAME_BYTES } from './options';
export type { TransportOptions, ResolvedOptions, UringTuning } from './options';
export { NodeNetTransport } from './node-net-transport';
export { NativeTransport, SEND_PAYLOAD_BYTES_MIN, SUBMIT_THRESHOLD_BYTES } from './native-transport';
export { encodeFrame, writeFrameHeader, checkFrameArgs } from './wire';
export { sendEncodedByCopy } from './common';
export { loadBinding, loadBindingFrom, loadedAddon, tryLoadBinding, addonCandidates } from './loader';
export { AddressLimitedTransport, remoteAddress } from './address-limit';
