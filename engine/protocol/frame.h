// The framing of lake's binary protocol (docs/protocol.md), shared by
// lake-server and the client library: an 8-byte hello that names the
// protocol and its version, then length-prefixed frames, each carrying a
// message type and a request id. Nothing here allocates more than the frame
// size limit, whatever bytes arrive.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace lake::protocol {

inline constexpr std::uint16_t kProtocolVersion = 1;
inline constexpr std::size_t kHelloBytes = 8;
inline constexpr std::size_t kFrameHeaderBytes = 16;
// A frame's payload may be at most this large unless a side says less; the
// hard ceiling keeps a corrupt length from ever asking for more.
inline constexpr std::uint32_t kDefaultMaxPayloadBytes = 64u << 20;
inline constexpr std::uint32_t kMaxPayloadCeiling = 256u << 20;

// "LAKE", the version, two reserved zero bytes.
std::string EncodeHello(std::uint16_t version = kProtocolVersion);
// The peer's version; kInvalidArgument for anything that is not a hello.
Result<std::uint16_t> DecodeHello(std::string_view bytes);

// The frame type of an error answer (payload: EncodeStatus); message types
// are numbered from 1.
inline constexpr std::uint16_t kErrorType = 0;

// Frame flag: the request has a time budget. Its payload starts with a u32,
// the milliseconds it may run from its arrival; past them the server
// cancels it (kCancelled). The budget does not count as payload.
inline constexpr std::uint16_t kFrameFlagBudget = 1;

struct Frame {
  std::uint16_t type = 0;
  std::uint64_t request_id = 0;
  std::string payload;
  std::optional<std::uint32_t> budget_ms;
};

// Header: u32 payload bytes, u16 type, u16 flags (kFrameFlag*; others are
// reserved), u64 request id, little-endian; then the payload.
std::string EncodeFrame(std::uint16_t type, std::uint64_t request_id, std::string_view payload,
                        std::optional<std::uint32_t> budget_ms = std::nullopt);

// Reassembles frames from a byte stream arriving in pieces of any size.
class FrameDecoder {
 public:
  explicit FrameDecoder(std::uint32_t max_payload_bytes = kDefaultMaxPayloadBytes);

  void Feed(std::string_view bytes);
  // From now on frames may be at most this large (at most the ceiling).
  void set_max_payload_bytes(std::uint32_t bytes);
  // The next whole frame, nullopt while more bytes are needed, or an error
  // (oversized frame, reserved flags set) after which the stream is done:
  // every later call returns the same error.
  Result<std::optional<Frame>> Next();
  // Bytes received and not yet returned as frames.
  std::size_t buffered() const { return buffer_.size() - consumed_; }
  // Gives back the memory of the frames already returned.
  void Compact();

 private:
  std::uint32_t max_payload_bytes_;
  std::string buffer_;
  std::size_t consumed_ = 0;
  Status failed_;
};

// Typed errors travel as a payload: u16 status code, then the message.
std::string EncodeStatus(const Status& status);
// The status a peer sent; kCorruption when the payload is not one.
Status DecodeStatus(std::string_view payload);

}  // namespace lake::protocol
