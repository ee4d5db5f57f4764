// One line per event that an operator may need to act on. Goes to stderr
// unless a sink is installed (tests capture lines this way).
#pragma once

#include <functional>
#include <string_view>

namespace lake {

enum class LogLevel { kInfo, kWarning, kError };

using LogSink = std::function<void(LogLevel level, std::string_view message)>;

// Replaces the sink; an empty sink restores stderr. Returns the previous one.
LogSink SetLogSink(LogSink sink);
void Log(LogLevel level, std::string_view message);

}  // namespace lake
