// A minimal test harness: TEST(name) { ... CHECK(cond); CHECK_EQ(a, b); } registered at static init.
#pragma once
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace fastport::test {

struct TestCase {
  const char* name;
  std::function<void()> body;
};
std::vector<TestCase>& registry();
void fail(const char* file, int line, const std::string& what);

struct Registrar {
  Registrar(const char* name, std::function<void()> body) { registry().push_back({name, std::move(body)}); }
};

}  // namespace fastport::test

#define FP_CONCAT2(a, b) a##b
#define FP_CONCAT(a, b) FP_CONCAT2(a, b)
#define TEST(name)                                                                                \
  static void FP_CONCAT(test_, name)();                                                           \
  static ::fastport::test::Registrar FP_CONCAT(registrar_, name)(#name, &FP_CONCAT(test_, name)); \
  static void FP_CONCAT(test_, name)()
#define CHECK(cond) \
  if (!(cond)) ::fastport::test::fail(__FILE__, __LINE__, "CHECK(" #cond ")")
#define CHECK_EQ(a, b)                       \
  if (!((a) == (b)))                         \
  ::fastport::test::fail(__FILE__, __LINE__, \
                         "CHECK_EQ(" #a ", " #b "): " + std::to_string(a) + " != " + std::to_string(b))
