/** The HTTP request head before an upgrade is bounded like this in every engine (native: ws/wire_protocol.h). */
export const MAX_REQUEST_HEAD_BYTES = 8 * 1024;
