// Runs every registered test; exit code 1 when any CHECK failed.
#include <cstdio>

#include "check.h"

namespace fastport::test {

std::vector<TestCase>& registry() {
  static std::vector<TestCase> tests;
  return tests;
}

static int failures = 0;

void fail(const char* file, int line, const std::string& what) {
  ++failures;
  std::fprintf(stderr, "  FAILED %s:%d: %s\n", file, line, what.c_str());
}

}  // namespace fastport::test

int main() {
  using namespace fastport::test;
  int failedTests = 0;
  for (auto& t : registry()) {
    int before = failures;
    t.body();
    bool ok = failures == before;
    if (!ok) ++failedTests;
    std::printf("%s %s\n", ok ? "ok  " : "FAIL", t.name);
  }
  std::printf("%zu tests, %d failed\n", registry().size(), failedTests);
  return failedTests ? 1 : 0;
}
