// libFuzzer target for the protocol's framing: any bytes, cut anywhere, give
// frames within the limit or an error, never a crash, a hang or an
// allocation beyond the limit (built with clang, ASan and UBSan by
// tests/CMakeLists.txt; `tools/lake fuzz` runs it longer).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "protocol/frame.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)lake::protocol::DecodeHello(bytes);
  (void)lake::protocol::DecodeStatus(bytes);
  // The first byte picks how the stream is cut into reads.
  const std::size_t piece = size == 0 ? 1 : 1 + data[0] % 64;
  lake::protocol::FrameDecoder decoder(1 << 16);
  for (std::size_t at = 0; at < size; at += piece) {
    decoder.Feed(bytes.substr(at, piece));
    for (;;) {
      auto next = decoder.Next();
      if (!next.ok() || !next->has_value()) break;
      if ((*next)->payload.size() > (1 << 16)) __builtin_trap();
    }
  }
  return 0;
}
