/**
 * The chat sample's web page in headless Chromium (test/support/chromium.ts), served by the chat server on
 * its own port, built fresh from the sources: browser users talk with each other and with a terminal
 * (TCP) user, and a page's connection reset by the network comes back to the same session.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChatClient } from '../../samples/chat/chat-client';
import { startChatServer } from '../../samples/chat/server';
import { CuttingProxy } from '../resume/support/cutting-proxy';
import { EventLog } from '../samples/support/event-log';
import { runnableEngines } from '../support/engines';
import { haveChromium, launchChromium, reportMissingChromium } from '../support/chromium';
import { buildIntoTemp } from './support/built-page';

reportMissingChromium();

/** Opens the page at `url` in a fresh browser context and logs in as `name`, joining `room`. */
async function openChat(browser: Browser, url: string, name: string, room = 'lobby'): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  await page.fill('#name', name);
  await page.fill('#login-room', room);
  await page.click('#login button[type=submit]');
  await expect.poll(() => page.textContent('#me'), { timeout: 10_000 }).toBe(name);
  expect(errors).toEqual([]);
  return page;
}

const lines = (page: Page): Promise<string[]> => page.locator('#log li').allTextContents();
const state = (page: Page): Promise<string | null> => page.getAttribute('#status', 'data-state');

async function say(page: Page, text: string, to = ''): Promise<void> {
  await page.fill('#to', to);
  await page.fill('#text', text);
  await page.press('#text', 'Enter');
}

/** Says `text` to the room and waits until the room's copy reaches the page. */
async function sayAndSee(page: Page, name: string, text: string): Promise<void> {
  await say(page, text);
  await expect
    .poll(() => lines(page))
    .toContainEqual(expect.stringMatching(new RegExp(` ${name}: ${text}$`)));
}

describe.skipIf(!haveChromium).each(runnableEngines('FASTPORT_TEST_ENGINES'))(
  'chat web page in Chromium on %s',
  (engine) => {
    let browser: Browser;
    let built: Awaited<ReturnType<typeof buildIntoTemp>>;
    let chat: Awaited<ReturnType<typeof startChatServer>>;
    const cleanup: (() => Promise<unknown>)[] = [];

    beforeAll(async () => {
      built = await buildIntoTemp();
      browser = await launchChromium();
      chat = await startChatServer({ port: 0, engine, logLevel: 'silent', web: built.chatDir });
    });
    afterEach(async () => {
      for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
    });
    afterAll(async () => {
      await browser?.close();
      await chat?.server.stop();
      built?.remove();
    });

    async function terminalUser(
      name: string,
      port = chat.port,
    ): Promise<{ user: ChatClient; log: EventLog }> {
      const user = await ChatClient.connect({ host: '127.0.0.1', port });
      cleanup.push(() => user.close());
      await user.login(name, '', 'lobby');
      return { user, log: new EventLog(user) };
    }

    it('two pages and a TCP client chat in one room, and private messages go page -> TCP -> page', async () => {
      expect(chat.pageUrl).toBe(`http://127.0.0.1:${chat.port}/`);
      const ann = await openChat(browser, chat.pageUrl!, 'ann');
      const ben = await openChat(browser, chat.pageUrl!, 'ben');
      cleanup.push(
        () => ann.context().close(),
        () => ben.context().close(),
      );
      const { user: cat, log: catLog } = await terminalUser('cat');
      await expect.poll(() => ann.locator('#members li').allTextContents()).toEqual(['ann', 'ben', 'cat']);

      // Each waits for its own message to come back (the sender gets it too), so the order is fixed.
      await sayAndSee(ann, 'ann', 'hello from ann');
      await sayAndSee(ben, 'ben', 'hello from ben');
      expect(await cat.say('hello from cat')).toBe(3);
      for (const page of [ann, ben])
        await expect
          .poll(async () =>
            (await lines(page)).filter((l) => l.includes('hello from')).map((l) => l.split('] ')[1]),
          )
          .toEqual(['ann: hello from ann', 'ben: hello from ben', 'cat: hello from cat']);
      await catLog.until((e) => e.kind === 'message' && e.message.text === 'hello from ben', 'ben in lobby');
      expect(
        catLog.events.flatMap((e) => (e.kind === 'message' ? [`${e.message.from}: ${e.message.text}`] : [])),
      ).toEqual(['ann: hello from ann', 'ben: hello from ben', 'cat: hello from cat']);

      await say(ann, 'psst, cat', 'cat');
      const whisper = await catLog.until((e) => e.kind === 'private', 'the private message');
      expect(whisper).toEqual({ kind: 'private', from: 'ann', text: 'psst, cat' });
      await cat.whisper('ann', 'hi ann, only you');
      await expect.poll(() => lines(ann)).toContain('[private] cat: hi ann, only you');
      expect(await lines(ann)).toContain('[private to cat] psst, cat');
      expect((await lines(ben)).join('\n')).not.toMatch(/psst|only you/); // private means private
    });

    it('a page whose connection is reset shows reconnecting, then resumed: still in the room, every missed message once', async () => {
      const proxy = await CuttingProxy.start(chat.port); // the page and its WebSocket come through it
      cleanup.push(() => proxy.close());
      const dan = await openChat(browser, `http://127.0.0.1:${proxy.port}/`, 'dan', 'den');
      cleanup.push(() => dan.context().close());
      const { user: eve, log: eveLog } = await terminalUser('eve');
      await eve.join('den');
      await expect.poll(() => state(dan)).toBe('connected');

      proxy.refuse = true;
      proxy.resetAll(); // RST on the page's TCP connection: what was in flight is gone
      await expect.poll(() => state(dan), { timeout: 10_000 }).toBe('reconnecting');
      const missed = ['one', 'two', 'three', 'four', 'five'];
      for (const text of missed) expect(await eve.say(text)).toBe(2); // dan is away, still a member
      proxy.refuse = false;

      await expect.poll(() => state(dan), { timeout: 20_000 }).toBe('resumed');
      await expect
        .poll(async () => (await lines(dan)).filter((l) => l.includes(' eve: ')).map((l) => l.split(': ')[1]))
        .toEqual(missed);
      expect((await lines(dan)).some((l) => l.startsWith('* reconnected: still in your room'))).toBe(true);
      expect(await dan.textContent('#room')).toBe('den');
      await say(dan, 'back again');
      await eveLog.until((e) => e.kind === 'message' && e.message.text === 'back again', "dan's message");
      expect(eveLog.events.some((e) => e.kind === 'left')).toBe(false); // eve never saw dan leave
      expect((await lines(dan)).filter((l) => l.includes(' eve: ')).length).toBe(missed.length); // once each
    });

    it('a page whose server restarted shows lost, then logs in again with its name and room', async () => {
      const proxy = await CuttingProxy.start(chat.port);
      cleanup.push(() => proxy.close());
      const fay = await openChat(browser, `http://127.0.0.1:${proxy.port}/`, 'fay', 'attic');
      cleanup.push(() => fay.context().close());
      const restarted = await startChatServer({ port: 0, engine, logLevel: 'silent', web: built.chatDir });
      cleanup.push(() => restarted.server.stop());
      const { user: gus } = await terminalUser('gus', restarted.port);
      proxy.target = restarted.port; // the address now leads to a new server, which never heard of fay
      proxy.resetAll();

      await expect
        .poll(() => lines(fay), { timeout: 20_000 })
        .toContain('* session lost (RESUME_UNKNOWN), logging in again');
      await expect.poll(() => state(fay), { timeout: 10_000 }).toBe('connected');
      expect(await fay.textContent('#room')).toBe('attic');
      expect((await gus.rooms()).find((room) => room.name === 'attic')?.members).toBe(1);
      await gus.join('attic');
      await sayAndSee(fay, 'fay', 'on the new server');
    });
  },
);
