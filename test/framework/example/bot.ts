import { GameClient } from '../../../framework';
import { Chat, ChatPush, LoginReq } from './generated/packets';

/** Logs in, prints lobby chat, says hello. */
export async function runBot(port: number, user: string, password: string): Promise<GameClient> {
  const client = await GameClient.connect({ host: '127.0.0.1', port }); // TCP + Hello/Welcome
  const res = await client.request(LoginReq, { user, password }); // typed: LoginRes
  console.log(`${user} is player ${res.playerId}`);
  client.on(ChatPush, (push) => console.log(`${push.from}: ${push.text}`));
  client.send(Chat, { text: `hello from ${user}` });
  return client;
}
