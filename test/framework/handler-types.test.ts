/**
 * Type tests: `npx tsc --noEmit -p tsconfig.json` fails if a `@ts-expect-error` line below stops being an
 * error (or a valid line becomes one). At run time these decorators only record metadata.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { GameClient } from '../../framework/client/game-client';
import { Controller, Handler } from '../../framework/handlers/decorators';
import type { Session } from '../../framework/server/session';
import {
  EchoReq,
  type EchoRes,
  type LoginReq,
  LoginReq as LoginReqType,
  type LoginRes,
  Note,
} from './support/messages';

interface Player {
  id: number;
}

@Controller()
export class WellTyped {
  @Handler(LoginReqType, { public: true })
  login(req: LoginReq, session: Session<Player>): LoginRes {
    session.authenticate({ id: 1 });
    return { userId: session.requireUser().id, name: req.name };
  }

  @Handler(EchoReq)
  async echo(req: EchoReq): Promise<EchoRes> {
    return { text: req.text, order: 0 };
  }

  @Handler(Note)
  note(_note: Note, _session: Session): void {}

  @Handler(Note)
  async noteAsync(): Promise<void> {}
}

@Controller()
export class BadlyTyped {
  // @ts-expect-error the response type is EchoRes, not LoginRes
  @Handler(EchoReq)
  wrongResponse(): LoginRes {
    return { userId: 1, name: '' };
  }

  // @ts-expect-error the request parameter must be EchoReq
  @Handler(EchoReq)
  wrongRequest(req: LoginReq): EchoRes {
    return { text: req.name, order: 0 };
  }

  // @ts-expect-error a request handler must return its response
  @Handler(EchoReq)
  returnsNothing(): void {}

  // @ts-expect-error the second parameter is the Session
  @Handler(Note)
  wrongSession(_note: Note, _session: string): void {}

  // @ts-expect-error the response must be a Promise of EchoRes, not of a string
  @Handler(EchoReq)
  async wrongAsync(): Promise<string> {
    return 'no';
  }
}

describe('handler and client types', () => {
  it('types client requests by the generated request/response pair', () => {
    const request = null as unknown as GameClient['request']; // never called: only the types matter
    const call = () => request(EchoReq, { text: 'x', delayMs: 0 });
    expectTypeOf(call).returns.toEqualTypeOf<Promise<EchoRes>>();
    // @ts-expect-error the payload must be an EchoReq
    const wrong = () => request(EchoReq, { name: 'x' });
    expectTypeOf(wrong).toBeFunction();
  });
});
