import { Controller, Handler } from '../../framework';
import { EchoReq, type EchoRes } from './generated/packets';

/** EchoReq -> EchoRes with the same bytes (the framework answers with the request's seq). */
@Controller()
export class EchoController {
  @Handler(EchoReq, { public: true })
  echo(request: EchoReq): EchoRes {
    return { data: request.data };
  }
}
