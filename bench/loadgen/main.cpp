// FastPort load generator: drives a server speaking the FastPort wire format (docs/architecture.md) and
// prints one JSON report.
#include <sys/prctl.h>
#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <exception>
#include <memory>
#include <thread>

#include "options.hpp"
#include "worker.hpp"

namespace {

using loadgen::Mode;
using loadgen::Options;
using loadgen::Stats;

void raiseFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

// SIGTERM / SIGINT end the run early and still print the report (the bench holds two idle runs open at
// once and ends them together).
void stopOnTerminate() {
  struct sigaction action {};
  action.sa_handler = [](int) { loadgen::requestStop(); };
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
}

const char* modeName(Mode mode) {
  switch (mode) {
    case Mode::kEcho:
      return "echo";
    case Mode::kBroadcast:
      return "broadcast";
    case Mode::kIdle:
      return "idle";
  }
  return "?";
}

double us(uint64_t ns) {
  return static_cast<double>(ns) / 1000.0;
}

// CPU time (user + system) this process has used so far, in ns.
int64_t cpuNs() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto ns = [](const timeval& tv) {
    return static_cast<int64_t>(tv.tv_sec) * 1'000'000'000 + tv.tv_usec * 1000;
  };
  return ns(usage.ru_utime) + ns(usage.ru_stime);
}

void printReport(const Options& o, const Stats& s, double cpuPercent) {
  const double seconds = o.durationS;
  const uint64_t errors = s.connectErrors + s.lost + s.seqErrors + s.verifyErrors + s.protocolErrors;
  std::printf(
      "{\"mode\":\"%s\",\"loop\":\"%s\",\"conns\":%u,\"depth\":%u,\"rate\":%.1f,\"min_size\":%u,\"max_size\":"
      "%u,"
      "\"threads\":%u,\"duration_s\":%.3f,\"warmup_s\":%.3f,\"senders\":%u,"
      "\"connected\":%llu,\"sent\":%llu,\"received\":%llu,\"msgs_per_s\":%.1f,\"mb_per_s\":%.3f,"
      "\"latency_us\":{\"samples\":%llu,\"mean\":%.2f,\"p50\":%.2f,\"p90\":%.2f,\"p99\":%.2f,\"p999\":%.2f,"
      "\"max\":%.2f},"
      "\"errors\":%llu,\"connect_errors\":%llu,\"lost_connections\":%llu,\"seq_errors\":%llu,"
      "\"verify_errors\":%llu,\"protocol_errors\":%llu,\"outstanding_at_end\":%llu,\"other_frames\":%llu,"
      "\"pushes\":%llu,\"verified\":%s,\"websocket\":%s,\"cpu_percent\":%.1f}\n",
      modeName(o.mode), o.rate > 0 ? "open" : "closed", o.conns, o.depth, o.rate, o.minSize, o.maxSize,
      o.threads, o.durationS, o.warmupS, o.senders, static_cast<unsigned long long>(s.connected),
      static_cast<unsigned long long>(s.sent), static_cast<unsigned long long>(s.received),
      static_cast<double>(s.received) / seconds, static_cast<double>(s.bytesReceived) / seconds / 1e6,
      static_cast<unsigned long long>(s.latency.count()), s.latency.mean() / 1000.0,
      us(s.latency.percentile(0.50)), us(s.latency.percentile(0.90)), us(s.latency.percentile(0.99)),
      us(s.latency.percentile(0.999)), us(s.latency.max()), static_cast<unsigned long long>(errors),
      static_cast<unsigned long long>(s.connectErrors), static_cast<unsigned long long>(s.lost),
      static_cast<unsigned long long>(s.seqErrors), static_cast<unsigned long long>(s.verifyErrors),
      static_cast<unsigned long long>(s.protocolErrors), static_cast<unsigned long long>(s.outstanding),
      static_cast<unsigned long long>(s.otherFrames), static_cast<unsigned long long>(s.pushes),
      o.verify ? "true" : "false", o.wsPath.empty() ? "false" : "true", cpuPercent);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  try {
    options = loadgen::parseOptions(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "loadgen: %s\n%s", e.what(), loadgen::usage().c_str());
    return 2;
  }
  raiseFileLimit();
  stopOnTerminate();
  prctl(PR_SET_TIMERSLACK, 1UL);  // open-loop sends are scheduled with microsecond timeouts

  try {
    loadgen::PayloadSource payload(options.minSize, options.maxSize, options.wrapProto);
    loadgen::SharedClock clock;
    int64_t cpuAtStart = 0;
    std::vector<std::unique_ptr<loadgen::Worker>> workers;
    loadgen::Worker::Barrier barrier(static_cast<std::ptrdiff_t>(options.threads), [&]() {
      clock.startNs.store(loadgen::nowNs());
      cpuAtStart = cpuNs();
      if (options.mode == Mode::kIdle) {
        uint64_t connected = 0;
        for (const auto& w : workers) connected += w->stats().connected;
        std::fprintf(stderr, "LOADGEN CONNECTED %llu\n", static_cast<unsigned long long>(connected));
        std::fflush(stderr);
      }
    });
    for (uint32_t t = 0; t < options.threads; t++) {
      std::vector<uint32_t> indexes;
      for (uint32_t i = t; i < options.conns; i += options.threads) indexes.push_back(i);
      workers.push_back(
          std::make_unique<loadgen::Worker>(options, payload, std::move(indexes), barrier, clock));
    }
    std::vector<std::thread> threads;
    for (size_t t = 1; t < workers.size(); t++) threads.emplace_back([&, t]() { workers[t]->run(); });
    workers[0]->run();
    for (auto& thread : threads) thread.join();

    Stats total;
    for (const auto& w : workers) total.merge(w->stats());
    // Share of one core the generator used after connecting (100 = one core busy): near 100 per thread
    // means the generator, not the server, may be the limit.
    double wallNs = static_cast<double>(loadgen::nowNs() - clock.startNs.load());
    printReport(options, total, 100.0 * static_cast<double>(cpuNs() - cpuAtStart) / wallNs);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "loadgen: %s\n", e.what());
    return 1;
  }
}
