'use strict';
// Records a transport's events and lets a test await a condition on them (checked after every event).
class Recorder {
  constructor(transport, extra = {}) {
    this.transport = transport;
    this.opens = [];
    this.frames = [];
    this.closes = [];
    this.writable = [];
    this.waiters = [];
    transport.setHandler({
      onOpen: (session, remote, listener) => {
        this.opens.push({ session, remote, listener });
        if (extra.onOpen) extra.onOpen(session, remote, listener);
        this.check();
      },
      onFrame: (session, msgId, seq, payload) => {
        const copy = Uint8Array.prototype.slice.call(payload);
        this.frames.push({ session, msgId, seq, payload: copy });
        if (extra.onFrame) extra.onFrame(session, msgId, seq, copy);
        this.check();
      },
      onWritable: (session, writable) => {
        this.writable.push({ session, writable });
        this.check();
      },
      onClose: (session, reason, errno) => {
        this.closes.push({ session, reason, errno });
        this.check();
      },
    });
  }

  closeOf(session) {
    return this.closes.find((c) => c.session === session);
  }

  framesOf(session) {
    return this.frames.filter((f) => f.session === session);
  }

  /** Resolves when pred() holds; the caller's harness timeout bounds the wait. */
  until(pred, what = 'condition') {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.push({ pred, resolve, reject, what });
    });
  }

  check() {
    const still = [];
    for (const w of this.waiters) {
      let ok = false;
      try {
        ok = w.pred();
      } catch (err) {
        w.reject(err);
        continue;
      }
      if (ok) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }
}

module.exports = { Recorder };
