#include "worker.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <random>
#include <stdexcept>
#include <string>

namespace loadgen {
namespace {

constexpr size_t kScratchBytes = 256 * 1024;
constexpr size_t kMaxBacklogBytes = 1 << 20;  // open loop: stop generating while this much is unsent
constexpr int kMaxEvents = 256;
constexpr int64_t kMaxWaitNs = 10'000'000;  // re-check the clock at least every 10 ms

int64_t secondsToNs(double s) {
  return static_cast<int64_t>(s * 1e9);
}

uint64_t randomSeed() {
  std::random_device device;
  return (uint64_t{device()} << 32) ^ device() ^ static_cast<uint64_t>(nowNs());
}

}  // namespace

// Message payload goes to the FastPort parser; a message must end on a frame boundary (the server sends
// whole frames per message); ping gets a pong, a close from the server ends the connection.
struct Worker::WsSink : ws::ServerFrameReader::Sink {
  Worker& worker;
  Conn& conn;
  int64_t now;
  WsSink(Worker& w, Conn& c, int64_t t) : worker(w), conn(c), now(t) {}

  bool onData(const uint8_t* data, size_t length, bool messageEnd) override {
    if (!worker.consumeStream(conn, data, length, now)) return false;
    if (messageEnd && !conn.in.empty()) {
      worker.stats_.protocolErrors++;
      worker.noteOnce("a WebSocket message ended inside a FastPort frame");
      worker.closeConn(conn, false);
      return false;
    }
    return true;
  }

  bool onControl(uint8_t opcode, const uint8_t* payload, size_t length) override {
    if (opcode == ws::kPing) {
      ws::appendMaskedMessage(conn.out, ws::kPong, payload, length,
                              static_cast<uint32_t>(worker.masks_.next()));
    } else if (opcode == ws::kClose) {
      worker.closeConn(conn, true);  // the server ended the session
      return false;
    }
    return true;
  }
};

namespace {
std::atomic<bool> stopRequested{false};
static_assert(std::atomic<bool>::is_always_lock_free, "requestStop runs in a signal handler");
}  // namespace

void requestStop() {
  stopRequested.store(true, std::memory_order_relaxed);
}

int64_t nowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

void Stats::merge(const Stats& o) {
  connected += o.connected;
  connectErrors += o.connectErrors;
  lost += o.lost;
  seqErrors += o.seqErrors;
  verifyErrors += o.verifyErrors;
  protocolErrors += o.protocolErrors;
  sent += o.sent;
  received += o.received;
  bytesReceived += o.bytesReceived;
  otherFrames += o.otherFrames;
  pushes += o.pushes;
  outstanding += o.outstanding;
  latency.merge(o.latency);
}

Worker::Worker(const Options& options, const PayloadSource& payload, std::vector<uint32_t> connIndexes,
               Barrier& barrier, const SharedClock& clock)
    : options_(options),
      payload_(payload),
      barrier_(barrier),
      clock_(clock),
      scratch_(kScratchBytes),
      websocket_(!options.wsPath.empty()),
      masks_(randomSeed()) {
  conns_.resize(connIndexes.size());
  for (size_t i = 0; i < conns_.size(); i++) {
    conns_[i].index = connIndexes[i];
    conns_[i].sender = options.mode != Mode::kBroadcast || connIndexes[i] < options.senders;
  }
  epollFd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epollFd_ < 0) throw std::runtime_error(std::string("epoll_create1: ") + std::strerror(errno));
  openLoop_ = options.rate > 0;
}

Worker::~Worker() {
  for (Conn& c : conns_) {
    if (c.fd >= 0) close(c.fd);
  }
  if (epollFd_ >= 0) close(epollFd_);
}

void Worker::run() {
  connectPhase();
  barrier_.arrive_and_wait();  // all threads connected; the barrier's completion set the start time

  const int64_t t0 = clock_.startNs.load();
  measureStartNs_ = t0 + secondsToNs(options_.warmupS);
  measureEndNs_ = measureStartNs_ + secondsToNs(options_.durationS);
  const int64_t graceEndNs = measureEndNs_ + secondsToNs(options_.graceS);
  const uint32_t senderCount = options_.mode == Mode::kBroadcast ? options_.senders : options_.conns;
  sending_ = options_.mode != Mode::kIdle;

  for (Conn& c : conns_) {
    if (c.state != State::kOpen) continue;
    queueFrame(c, options_.hello.data(), options_.hello.size());
    queueFrame(c, options_.join.data(), options_.join.size());
    if (sending_ && c.sender) {
      if (openLoop_) {
        c.intervalNs = static_cast<int64_t>(1e9 * senderCount / options_.rate);
        c.nextDueNs = t0 + c.intervalNs * c.index / senderCount;  // spread the connections' phases
      } else {
        for (uint32_t i = 0; i < options_.depth; i++) sendOne(c, t0, t0);
      }
    }
    flush(c);
  }

  for (;;) {
    int64_t now = nowNs();
    if (now >= graceEndNs || stopRequested.load(std::memory_order_relaxed)) break;
    if (now >= measureEndNs_) {
      if (sending_) sending_ = false;
      bool waiting = false;
      if (options_.mode == Mode::kEcho) {
        for (const Conn& c : conns_) waiting |= c.state == State::kOpen && !c.inflight.empty();
      }
      if (!waiting) break;
    }
    int64_t wakeNs = now >= measureEndNs_ ? graceEndNs : measureEndNs_;
    if (now < measureStartNs_) wakeNs = measureStartNs_;
    if (openLoop_ && sending_) {
      for (Conn& c : conns_) {
        if (c.state != State::kOpen || !c.sender) continue;
        generateDue(c, now);
        flush(c);
        if (c.state == State::kOpen && c.out.size() - c.outOff < kMaxBacklogBytes) {
          wakeNs = std::min(wakeNs, c.nextDueNs);
        }
      }
    }
    waitEvents(std::clamp<int64_t>(wakeNs - now, 0, kMaxWaitNs));
  }

  for (Conn& c : conns_) {
    if (c.state == State::kOpen) stats_.outstanding += c.inflight.size();
    if (c.fd >= 0) closeConn(c, false);
  }
}

void Worker::connectPhase() {
  const int64_t deadline = nowNs() + secondsToNs(options_.connectTimeoutS);
  size_t next = 0;
  while ((next < conns_.size() || connecting_ > 0) && nowNs() < deadline) {
    while (next < conns_.size() && connecting_ < options_.connectConcurrency) startConnect(next++);
    if (connecting_ > 0) waitEvents(kMaxWaitNs);
  }
  for (Conn& c : conns_) {
    if (c.state == State::kConnecting || c.state == State::kUpgrading) {
      stats_.connectErrors++;
      closeConn(c, false);
    } else if (c.state == State::kNew) {
      stats_.connectErrors++;
    }
  }
  connecting_ = 0;
}

void Worker::startConnect(uint32_t local) {
  Conn& c = conns_[local];
  c.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c.fd < 0) {
    stats_.connectErrors++;
    c.state = State::kClosed;
    return;
  }
  int one = 1;
  setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(options_.port);
  if (inet_pton(AF_INET, options_.host.c_str(), &addr.sin_addr) != 1) {
    throw std::invalid_argument("--host: not an IPv4 address: " + options_.host);
  }
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT | EPOLLET | EPOLLRDHUP;
  ev.data.u32 = local;
  epoll_ctl(epollFd_, EPOLL_CTL_ADD, c.fd, &ev);
  int rc = connect(c.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  if (rc == 0) {
    connecting_++;
    onTcpConnected(c);
  } else if (errno == EINPROGRESS) {
    c.state = State::kConnecting;
    connecting_++;
  } else {
    stats_.connectErrors++;
    closeConn(c, false);
  }
}

// Called with c counted in connecting_: plain TCP is open now; with --ws the upgrade request goes out.
void Worker::onTcpConnected(Conn& c) {
  if (!websocket_) {
    connecting_--;
    c.state = State::kOpen;
    stats_.connected++;
    return;
  }
  c.state = State::kUpgrading;
  const std::string key = ws::makeKey(masks_);
  c.wsAccept = ws::acceptFor(key);
  const std::string request = ws::upgradeRequest(options_.host, options_.port, options_.wsPath, key);
  c.out.insert(c.out.end(), request.begin(), request.end());
  flush(c);
  if (c.state == State::kClosed) upgradeFailed(c, "the upgrade request could not be sent");
}

void Worker::onUpgradeEvent(Conn& c, uint32_t events, int64_t now) {
  if (events & EPOLLOUT) {
    flush(c);
    if (c.state == State::kClosed) return upgradeFailed(c, "the upgrade request could not be sent");
  }
  if (!(events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))) return;
  bool closed = false;
  for (;;) {
    ssize_t n = recv(c.fd, scratch_.data(), scratch_.size(), 0);
    if (n > 0) {
      c.in.insert(c.in.end(), scratch_.data(), scratch_.data() + n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    closed = !(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
    break;
  }
  size_t headBytes = 0;
  std::string why;
  std::string_view received(reinterpret_cast<const char*>(c.in.data()), c.in.size());
  ws::Handshake verdict = ws::checkUpgradeResponse(received, c.wsAccept, headBytes, why);
  if (verdict == ws::Handshake::kRefused) return upgradeFailed(c, why);
  if (closed) return upgradeFailed(c, "the server closed the connection during the upgrade");
  if (verdict == ws::Handshake::kIncomplete) return;
  connecting_--;
  c.state = State::kOpen;
  stats_.connected++;
  c.wsAccept.clear();
  c.wsAccept.shrink_to_fit();
  std::vector<uint8_t> early(c.in.begin() + static_cast<std::ptrdiff_t>(headBytes), c.in.end());
  c.in.clear();
  c.in.shrink_to_fit();
  if (!early.empty()) consumeReceived(c, early.data(), early.size(), now);
}

void Worker::upgradeFailed(Conn& c, const std::string& why) {
  connecting_--;
  stats_.connectErrors++;
  noteOnce("WebSocket upgrade failed: " + why);
  closeConn(c, false);
}

// The first problem of this thread goes to stderr, so a failing row says why (the report has counts only).
void Worker::noteOnce(const std::string& what) {
  if (noted_) return;
  noted_ = true;
  std::fprintf(stderr, "loadgen: %s\n", what.c_str());
}

void Worker::waitEvents(int64_t timeoutNs) {
  epoll_event events[kMaxEvents];
  timespec ts{static_cast<time_t>(timeoutNs / 1'000'000'000), static_cast<long>(timeoutNs % 1'000'000'000)};
  int n = epoll_pwait2(epollFd_, events, kMaxEvents, &ts, nullptr);
  if (n <= 0) return;  // timeout or EINTR
  int64_t now = nowNs();
  for (int i = 0; i < n; i++) onEvent(events[i].data.u32, events[i].events, now);
}

void Worker::onEvent(uint32_t local, uint32_t events, int64_t now) {
  Conn& c = conns_[local];
  if (c.state == State::kConnecting) {
    if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0 || (events & EPOLLHUP)) {
      connecting_--;
      stats_.connectErrors++;
      closeConn(c, false);
      return;
    }
    onTcpConnected(c);
    if (c.state == State::kUpgrading) events &= ~static_cast<uint32_t>(EPOLLOUT);  // request flushed
  }
  if (c.state == State::kUpgrading) return onUpgradeEvent(c, events, now);
  if (c.state != State::kOpen) return;
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) onReadable(c, now);
  if (c.state != State::kOpen) return;
  if (events & EPOLLOUT) {
    if (openLoop_ && sending_ && c.sender) generateDue(c, now);
    flush(c);
  }
}

void Worker::onReadable(Conn& c, int64_t now) {
  for (;;) {
    ssize_t n = recv(c.fd, scratch_.data(), scratch_.size(), 0);
    if (n > 0) {
      if (!consumeReceived(c, scratch_.data(), static_cast<size_t>(n), now)) return;
      if (static_cast<size_t>(n) < scratch_.size()) break;  // a short read drained the stream socket
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    closeConn(c, true);  // EOF or error
    return;
  }
  flush(c);
}

// Received bytes of an open connection; returns false when it was closed (bad frame, WebSocket error,
// the server's Close).
bool Worker::consumeReceived(Conn& c, const uint8_t* data, size_t length, int64_t now) {
  if (!websocket_) return consumeStream(c, data, length, now);
  WsSink sink(*this, c, now);
  if (c.wsReader.feed(data, length, sink)) return true;
  if (c.state == State::kOpen) {  // the reader refused a frame (a sink that fails closes the connection)
    stats_.protocolErrors++;
    noteOnce("WebSocket: " + c.wsReader.why());
    closeConn(c, false);
  }
  return false;
}

// FastPort frames from a byte stream (TCP, or the payload of WebSocket messages); an incomplete frame's
// bytes wait in c.in. Returns false when the connection was closed for a bad frame.
bool Worker::consumeStream(Conn& c, const uint8_t* data, size_t length, int64_t now) {
  size_t consumed = 0;
  if (c.in.empty()) {
    if (!parse(c, data, length, now, consumed)) return false;
    c.in.assign(data + consumed, data + length);
    return true;
  }
  c.in.insert(c.in.end(), data, data + length);
  if (!parse(c, c.in.data(), c.in.size(), now, consumed)) return false;
  c.in.erase(c.in.begin(), c.in.begin() + static_cast<std::ptrdiff_t>(consumed));
  return true;
}

// Returns false when the connection was closed for a bad frame.
bool Worker::parse(Conn& c, const uint8_t* data, size_t length, int64_t now, size_t& consumed) {
  size_t off = 0;
  while (length - off >= kHeaderBytes) {
    uint32_t frameBytes = readU32(data + off);
    if (frameBytes < kHeaderBytes || frameBytes > options_.maxFrameBytes) {
      stats_.protocolErrors++;
      closeConn(c, false);
      return false;
    }
    if (length - off < frameBytes) break;
    onFrame(c, readU16(data + off + 4), readU32(data + off + 6), data + off + kHeaderBytes,
            frameBytes - kHeaderBytes, now);
    off += frameBytes;
  }
  consumed = off;
  return true;
}

void Worker::onFrame(Conn& c, uint16_t msgId, uint32_t seq, const uint8_t* payload, size_t length,
                     int64_t now) {
  if (options_.expectId != 0 && msgId != options_.expectId) {
    stats_.otherFrames++;
    return;
  }
  if (options_.mode == Mode::kBroadcast) {
    if (!inWindow(now)) return;
    stats_.received++;
    stats_.bytesReceived += length + kHeaderBytes;
    if (!options_.wrapProto && length >= 8) {
      int64_t stamp;
      std::memcpy(&stamp, payload, sizeof stamp);
      if (stamp > 0 && stamp <= now) stats_.latency.record(static_cast<uint64_t>(now - stamp));
    }
    return;
  }
  if (seq == 0) {
    stats_.pushes++;
    return;
  }
  auto it = c.inflight.begin();
  if (it == c.inflight.end() || it->seq != seq) {
    it = std::find_if(c.inflight.begin(), c.inflight.end(), [seq](const Pending& p) { return p.seq == seq; });
    if (it == c.inflight.end()) {
      stats_.seqErrors++;
      return;
    }
  }
  int64_t intended = it->intendedNs;
  c.inflight.erase(it);
  if (options_.verify && !payload_.matches(seq, payload, length)) stats_.verifyErrors++;
  if (inWindow(now)) {
    stats_.received++;
    stats_.bytesReceived += length + kHeaderBytes;
    stats_.latency.record(static_cast<uint64_t>(std::max<int64_t>(now - intended, 0)));
  }
  if (!openLoop_ && sending_) sendOne(c, now, now);
}

void Worker::sendOne(Conn& c, int64_t intendedNs, int64_t now) {
  uint32_t seq = c.nextSeq++;
  if (seq == 0) seq = c.nextSeq++;  // 0 means a one-way message
  std::vector<uint8_t>& target = websocket_ ? frameTmp_ : c.out;
  size_t payloadAt = payload_.append(target, options_.msgId, seq);
  if (options_.mode == Mode::kBroadcast) {
    if (!options_.wrapProto) std::memcpy(target.data() + payloadAt, &intendedNs, sizeof intendedNs);
  } else {
    c.inflight.push_back({seq, intendedNs});
  }
  if (websocket_) {
    queueFrame(c, frameTmp_.data(), frameTmp_.size());
    frameTmp_.clear();
  }
  if (inWindow(now)) stats_.sent++;
}

// A whole FastPort frame to send: as it is over TCP, as one masked binary message with --ws.
void Worker::queueFrame(Conn& c, const uint8_t* frame, size_t length) {
  if (length == 0) return;
  if (websocket_) {
    ws::appendMaskedMessage(c.out, ws::kBinary, frame, length, static_cast<uint32_t>(masks_.next()));
  } else {
    c.out.insert(c.out.end(), frame, frame + length);
  }
}

void Worker::generateDue(Conn& c, int64_t now) {
  while (c.nextDueNs <= now && c.out.size() - c.outOff < kMaxBacklogBytes) {
    sendOne(c, c.nextDueNs, now);
    c.nextDueNs += c.intervalNs;
  }
}

void Worker::flush(Conn& c) {
  while (c.outOff < c.out.size()) {
    ssize_t n = send(c.fd, c.out.data() + c.outOff, c.out.size() - c.outOff, MSG_NOSIGNAL);
    if (n > 0) {
      c.outOff += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (c.outOff > c.out.size() / 2) {  // compact so the buffer does not grow without bound
        c.out.erase(c.out.begin(), c.out.begin() + static_cast<std::ptrdiff_t>(c.outOff));
        c.outOff = 0;
      }
      return;
    }
    closeConn(c, true);
    return;
  }
  c.out.clear();
  c.outOff = 0;
}

void Worker::closeConn(Conn& c, bool lost) {
  if (lost && c.state == State::kOpen) stats_.lost++;
  if (c.fd >= 0) {
    epoll_ctl(epollFd_, EPOLL_CTL_DEL, c.fd, nullptr);
    close(c.fd);
  }
  c.fd = -1;
  c.state = State::kClosed;
}

}  // namespace loadgen
