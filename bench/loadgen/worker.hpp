// One load-generating thread: its own epoll set and a share of the connections.
#pragma once

#include <atomic>
#include <barrier>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "frame.hpp"
#include "histogram.hpp"
#include "options.hpp"
#include "websocket.hpp"

namespace loadgen {

int64_t nowNs();

// Asks every worker to end its run now (async-signal-safe: the SIGTERM / SIGINT handler calls it); the
// report then covers the time until the stop.
void requestStop();

struct Stats {
  uint64_t connected = 0;
  uint64_t connectErrors = 0;
  uint64_t lost = 0;            // connections closed by the peer or by an error while running
  uint64_t seqErrors = 0;       // an answer whose seq matches no request in flight
  uint64_t verifyErrors = 0;    // an echoed payload that differs from what was sent
  uint64_t protocolErrors = 0;  // a frame length outside 10..maxFrameBytes
  uint64_t sent = 0;            // frames sent in the measured window
  uint64_t received = 0;        // answers / deliveries received in the measured window
  uint64_t bytesReceived = 0;   // whole-frame bytes of those
  uint64_t otherFrames = 0;     // frames with another msgId (handshake answers, pings, errors)
  uint64_t pushes = 0;          // frames with seq 0 in echo mode
  uint64_t outstanding = 0;     // requests still unanswered after the grace period
  Histogram latency;

  void merge(const Stats& o);
};

struct SharedClock {
  std::atomic<int64_t> startNs{0};
};

class Worker {
 public:
  using Barrier = std::barrier<std::function<void()>>;

  Worker(const Options& options, const PayloadSource& payload, std::vector<uint32_t> connIndexes,
         Barrier& barrier, const SharedClock& clock);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void run();
  const Stats& stats() const { return stats_; }

 private:
  struct Pending {
    uint32_t seq;
    int64_t intendedNs;  // when the request should have left: latency is measured from here
  };
  // kUpgrading: TCP is up, the WebSocket upgrade (--ws) is under way; the connection counts as connected
  // once the 101 checks out.
  enum class State { kNew, kConnecting, kUpgrading, kOpen, kClosed };
  struct Conn {
    int fd = -1;
    uint32_t index = 0;
    bool sender = true;
    State state = State::kNew;
    uint32_t nextSeq = 1;
    std::deque<Pending> inflight;
    std::vector<uint8_t> out;
    size_t outOff = 0;
    std::vector<uint8_t> in;  // remainder of an incomplete frame (the upgrade response while kUpgrading)
    std::string wsAccept;     // the Sec-WebSocket-Accept the server must answer
    ws::ServerFrameReader wsReader;
    int64_t nextDueNs = 0;
    int64_t intervalNs = 0;
  };

  struct WsSink;  // hands a WebSocket connection's message payload to the FastPort frame parser

  void connectPhase();
  void startConnect(uint32_t local);
  void onTcpConnected(Conn& c);
  void onUpgradeEvent(Conn& c, uint32_t events, int64_t now);
  void upgradeFailed(Conn& c, const std::string& why);
  void onEvent(uint32_t local, uint32_t events, int64_t now);
  void onReadable(Conn& c, int64_t now);
  bool consumeReceived(Conn& c, const uint8_t* data, size_t length, int64_t now);
  bool consumeStream(Conn& c, const uint8_t* data, size_t length, int64_t now);
  void queueFrame(Conn& c, const uint8_t* frame, size_t length);
  void noteOnce(const std::string& what);
  bool parse(Conn& c, const uint8_t* data, size_t length, int64_t now, size_t& consumed);
  void onFrame(Conn& c, uint16_t msgId, uint32_t seq, const uint8_t* payload, size_t length, int64_t now);
  void sendOne(Conn& c, int64_t intendedNs, int64_t now);
  void generateDue(Conn& c, int64_t now);
  void flush(Conn& c);
  void closeConn(Conn& c, bool lost);
  void waitEvents(int64_t timeoutNs);
  bool inWindow(int64_t now) const { return now >= measureStartNs_ && now < measureEndNs_; }

  const Options& options_;
  const PayloadSource& payload_;
  Barrier& barrier_;
  const SharedClock& clock_;
  std::vector<Conn> conns_;
  int epollFd_ = -1;
  uint32_t connecting_ = 0;
  bool sending_ = false;
  bool openLoop_ = false;
  int64_t measureStartNs_ = INT64_MAX;
  int64_t measureEndNs_ = INT64_MAX;
  std::vector<uint8_t> scratch_;
  bool websocket_ = false;
  ws::MaskSource masks_;
  std::vector<uint8_t> frameTmp_;  // --ws: a frame built here, then copied masked into the send buffer
  bool noted_ = false;
  Stats stats_;
};

}  // namespace loadgen
