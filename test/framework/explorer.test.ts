import { Container, inject, injectable } from 'inversify';
import { describe, expect, it } from 'vitest';
import { HandlerSetupError } from '../../framework/errors';
import { Controller, Handler } from '../../framework/handlers/decorators';
import { collectMessages, exploreHandlers, type ControllerClass } from '../../framework/handlers/explorer';
import { Ping } from '../../framework/protocol/framework-messages';
import { GameServer } from '../../framework/server/game-server';
import { createTransport } from '../../framework/transport/create-transport';
import { jsonMessage, jsonRequest } from './support/json-messages';
import { allMessages, EchoReq, type EchoRes, LoginRes, Note } from './support/messages';

const messages = collectMessages(allMessages);

function explore(controllers: ControllerClass[], bind = true) {
  const container = new Container();
  if (bind) for (const controller of controllers) container.bind(controller).toSelf();
  return exploreHandlers({ controllers, container, messages });
}

@Controller()
class EchoController {
  @Handler(EchoReq)
  echo(req: EchoReq): EchoRes {
    return { text: req.text, order: 0 };
  }
  @Handler(Note)
  note(): void {}
}

@Controller()
class OtherEchoController {
  @Handler(EchoReq)
  again(req: EchoReq): EchoRes {
    return { text: req.text, order: 1 };
  }
}

const Stranger = jsonRequest(500, 'test.Stranger', {}, jsonMessage(501, 'test.StrangerRes', {}, 'response'));

@Controller()
class StrangerController {
  @Handler(Stranger)
  handle(): object {
    return {};
  }
}

@Controller()
class ReservedController {
  @Handler(Ping)
  ping(): { timestampMs: number; nonce: number } {
    return { timestampMs: 0, nonce: 0 };
  }
}

@Controller()
class ResponseController {
  @Handler(LoginRes)
  wrong(): void {}
}

class Undecorated {
  @Handler(EchoReq)
  echo(req: EchoReq): EchoRes {
    return { text: req.text, order: 0 };
  }
}

@injectable()
class MissingService {}

@Controller()
class NeedsService {
  constructor(@inject(MissingService) readonly service: MissingService) {}
  @Handler(Note)
  note(): void {}
}

describe('handler explorer', () => {
  it('builds the id -> handler table once, with bound methods', () => {
    const table = explore([EchoController]);
    expect([...table.keys()].sort()).toEqual([EchoReq.id, Note.id]);
    const echo = table.get(EchoReq.id)!;
    expect(echo.label).toBe('EchoController.echo');
    expect(echo.response).toBe(EchoReq.response);
    expect(echo.options.public).toBeUndefined();
    expect(table.get(Note.id)!.response).toBeUndefined();
    expect(echo.invoke({ text: 'x', delayMs: 0 }, undefined as never)).toEqual({ text: 'x', order: 0 });
  });

  it.each([
    [
      [EchoController, OtherEchoController],
      /duplicate handler for test.EchoReq \(id 102\): EchoController.echo and OtherEchoController.again/,
    ],
    [[StrangerController], /StrangerController.handle handles test.Stranger \(id 500\), an unknown message/],
    [
      [ReservedController],
      /ReservedController.ping: message fastport.Ping has id 3, reserved for the framework/,
    ],
    [[ResponseController], /ResponseController.wrong: test.LoginRes is a response/],
    [[Undecorated], /Undecorated is listed as a controller but lacks the @Controller\(\) decorator/],
    [[NeedsService], /cannot create controller NeedsService: /],
  ])('rejects a bad setup with a clear error (%#)', (controllers, message) => {
    expect(() => explore(controllers as ControllerClass[])).toThrow(HandlerSetupError);
    expect(() => explore(controllers as ControllerClass[])).toThrow(message);
  });

  it('rejects a controller that is not bound in the container', () => {
    expect(() => explore([EchoController], false)).toThrow(
      'controller EchoController is not bound in the container',
    );
  });

  it('rejects two different messages with one id', () => {
    const clash = jsonMessage(EchoReq.id, 'test.Clash', {});
    expect(() => collectMessages([EchoReq, clash])).toThrow(
      'messages test.EchoReq and test.Clash share id 102',
    );
  });

  it('fails GameServer.start() before listening', async () => {
    const server = new GameServer({
      port: 0,
      host: '127.0.0.1',
      transport: createTransport({ engine: 'node' }),
      messages: allMessages,
      controllers: [EchoController, OtherEchoController],
      logger: { level: 'silent' },
    });
    await expect(server.start()).rejects.toThrow(/duplicate handler/);
    await server.stop();
  });

  it('binds controllers unless told not to', async () => {
    const server = new GameServer({
      port: 0,
      transport: createTransport({ engine: 'node' }),
      messages: allMessages,
      controllers: [EchoController],
      bindControllers: false,
      logger: { level: 'silent' },
    });
    await expect(server.start()).rejects.toThrow('controller EchoController is not bound in the container');
    await server.stop();
  });
});
