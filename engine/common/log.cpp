#include "common/log.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace lake {

namespace {
std::mutex sink_mutex;
LogSink current_sink;

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "?";
}
}  // namespace

LogSink SetLogSink(LogSink sink) {
  std::lock_guard lock(sink_mutex);
  std::swap(current_sink, sink);
  return sink;
}

void Log(LogLevel level, std::string_view message) {
  std::lock_guard lock(sink_mutex);
  if (current_sink) {
    current_sink(level, message);
    return;
  }
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &utc);
  std::fprintf(stderr, "%s lake %s: %.*s\n", stamp, LevelName(level), int(message.size()),
               message.data());
}

}  // namespace lake
