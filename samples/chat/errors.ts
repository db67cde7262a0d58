/** Error codes the chat server sends in Error frames (the client shows them). */
export const ChatErrors = {
  NAME_TAKEN: 'NAME_TAKEN',
  BAD_NAME: 'BAD_NAME',
  ALREADY_LOGGED_IN: 'ALREADY_LOGGED_IN',
  ROOM_EXISTS: 'ROOM_EXISTS',
  ROOM_LIMIT: 'ROOM_LIMIT',
  NO_SUCH_ROOM: 'NO_SUCH_ROOM',
  NOT_IN_ROOM: 'NOT_IN_ROOM',
  NO_SUCH_USER: 'NO_SUCH_USER',
  BAD_TEXT: 'BAD_TEXT',
} as const;

/** Nicknames and room names: 1-24 letters, digits, '-', '_' or '.'. */
export const NAME_PATTERN = /^[\p{L}\p{N}_.-]{1,24}$/u;
/** Longest chat or private message, in UTF-16 code units. */
export const MAX_TEXT_LENGTH = 500;
/** Messages a room keeps and sends to a member on join. */
export const HISTORY_LENGTH = 50;
