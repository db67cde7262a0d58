/** EchoReq (id 100) / EchoRes (id 101) with protobufjs, as a hand-written node:net server would use them. */
import * as protobuf from 'protobufjs';

export const ECHO_REQ_ID = 100;
export const ECHO_RES_ID = 101;

export interface Echo {
  payload: Uint8Array;
}

const root = protobuf.Root.fromJSON({
  nested: {
    EchoReq: { fields: { payload: { type: 'bytes', id: 1 } } },
    EchoRes: { fields: { payload: { type: 'bytes', id: 1 } } },
  },
});

export const EchoReq = root.lookupType('EchoReq');
export const EchoRes = root.lookupType('EchoRes');
