#include "protocol/frame.h"

#include <algorithm>
#include <cstring>

#include "common/byte_buffer.h"

namespace lake::protocol {

namespace {

constexpr char kMagic[4] = {'L', 'A', 'K', 'E'};
constexpr StatusCode kLastStatusCode = StatusCode::kUnavailable;

}  // namespace

std::string EncodeHello(std::uint16_t version) {
  std::string hello;
  ByteWriter out(&hello);
  out.Bytes(kMagic, sizeof(kMagic));
  out.Fixed(version);
  out.Fixed<std::uint16_t>(0);
  return hello;
}

Result<std::uint16_t> DecodeHello(std::string_view bytes) {
  if (bytes.size() != kHelloBytes || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0)
    return Status::InvalidArgument("not a lake protocol hello (wrong magic)");
  ByteReader in(bytes.substr(sizeof(kMagic)));
  std::uint16_t version, reserved;
  LAKE_RETURN_IF_ERROR(in.Fixed(&version));
  LAKE_RETURN_IF_ERROR(in.Fixed(&reserved));
  if (reserved != 0) return Status::InvalidArgument("lake protocol hello: reserved bytes set");
  return version;
}

std::string EncodeFrame(std::uint16_t type, std::uint64_t request_id, std::string_view payload,
                        std::optional<std::uint32_t> budget_ms) {
  std::string frame;
  const std::size_t budget_bytes = budget_ms ? sizeof(std::uint32_t) : 0;
  frame.reserve(kFrameHeaderBytes + budget_bytes + payload.size());
  ByteWriter out(&frame);
  out.Fixed(static_cast<std::uint32_t>(budget_bytes + payload.size()));
  out.Fixed(type);
  out.Fixed<std::uint16_t>(budget_ms ? kFrameFlagBudget : 0);
  out.Fixed(request_id);
  if (budget_ms) out.Fixed(*budget_ms);
  out.Bytes(payload.data(), payload.size());
  return frame;
}

FrameDecoder::FrameDecoder(std::uint32_t max_payload_bytes)
    : max_payload_bytes_(std::min(max_payload_bytes, kMaxPayloadCeiling)) {}

void FrameDecoder::set_max_payload_bytes(std::uint32_t bytes) {
  max_payload_bytes_ = std::min(bytes, kMaxPayloadCeiling);
}

void FrameDecoder::Compact() {
  buffer_.erase(0, consumed_);
  consumed_ = 0;
  buffer_.shrink_to_fit();
}

void FrameDecoder::Feed(std::string_view bytes) {
  if (!failed_.ok()) return;
  // Drop what was consumed before growing, so the buffer holds at most one
  // frame and what has arrived of the next.
  if (consumed_ > 0) {
    buffer_.erase(0, consumed_);
    consumed_ = 0;
  }
  buffer_.append(bytes);
}

Result<std::optional<Frame>> FrameDecoder::Next() {
  if (!failed_.ok()) return failed_;
  if (buffered() < kFrameHeaderBytes) return std::optional<Frame>();
  ByteReader in(std::string_view(buffer_).substr(consumed_, kFrameHeaderBytes));
  std::uint32_t payload_bytes;
  std::uint16_t flags;
  Frame frame;
  LAKE_RETURN_IF_ERROR(in.Fixed(&payload_bytes));
  LAKE_RETURN_IF_ERROR(in.Fixed(&frame.type));
  LAKE_RETURN_IF_ERROR(in.Fixed(&flags));
  LAKE_RETURN_IF_ERROR(in.Fixed(&frame.request_id));
  if (payload_bytes > max_payload_bytes_) {
    failed_ = Status::InvalidArgument("frame of " + std::to_string(payload_bytes) +
                                      " bytes is over the limit of " +
                                      std::to_string(max_payload_bytes_));
    return failed_;
  }
  const std::size_t budget_bytes = (flags & kFrameFlagBudget) ? sizeof(std::uint32_t) : 0;
  if ((flags & ~kFrameFlagBudget) != 0 || payload_bytes < budget_bytes) {
    failed_ = Status::InvalidArgument("frame flags " + std::to_string(flags) +
                                      " are reserved or do not fit the frame");
    return failed_;
  }
  if (buffered() < kFrameHeaderBytes + payload_bytes) return std::optional<Frame>();
  const std::size_t body = consumed_ + kFrameHeaderBytes;
  if (budget_bytes > 0) {
    ByteReader budget(std::string_view(buffer_).substr(body, budget_bytes));
    std::uint32_t ms;
    LAKE_RETURN_IF_ERROR(budget.Fixed(&ms));
    frame.budget_ms = ms;
  }
  frame.payload.assign(buffer_, body + budget_bytes, payload_bytes - budget_bytes);
  consumed_ += kFrameHeaderBytes + payload_bytes;
  return std::optional<Frame>(std::move(frame));
}

std::string EncodeStatus(const Status& status) {
  std::string payload;
  ByteWriter out(&payload);
  out.Fixed(static_cast<std::uint16_t>(status.code()));
  out.Varint(status.message().size());
  out.Bytes(status.message().data(), status.message().size());
  return payload;
}

Status DecodeStatus(std::string_view payload) {
  ByteReader in(payload);
  std::uint16_t code;
  std::uint64_t size;
  const char* message = nullptr;
  if (!in.Fixed(&code).ok() || !in.Varint(&size).ok() || size != in.remaining() ||
      !in.Bytes(size, &message).ok() || code > static_cast<std::uint16_t>(kLastStatusCode))
    return Status::Corruption("malformed error payload from the peer");
  return Status(static_cast<StatusCode>(code), std::string(message, size));
}

}  // namespace lake::protocol
