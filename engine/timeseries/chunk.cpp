#include "timeseries/chunk.h"

#include <zstd.h>

#include "common/byte_buffer.h"
#include "timeseries/alp_codec.h"
#include "timeseries/gorilla_codec.h"
#include "timeseries/timestamp_codec.h"

namespace lake::timeseries {

namespace {

constexpr std::uint8_t kFormatVersion = 1;
constexpr std::uint8_t kFlagZstd = 1;
constexpr int kZstdLevel = 9;
// Points per chunk are bounded by the writer; this bounds a corrupt count.
constexpr std::uint32_t kMaxChunkPoints = 1u << 20;

void WriteStats(const Aggregate& a, ByteWriter& out) {
  out.Fixed(static_cast<std::uint32_t>(a.count));
  out.Fixed(a.sum);
  out.Fixed(a.m2);
  out.Fixed(a.min);
  out.Fixed(a.max);
  out.Fixed(a.first_ts);
  out.Fixed(a.first);
  out.Fixed(a.last_ts);
  out.Fixed(a.last);
}

Status ReadStats(ByteReader& in, Aggregate* a) {
  std::uint32_t count;
  LAKE_RETURN_IF_ERROR(in.Fixed(&count));
  if (count == 0 || count > kMaxChunkPoints) return Status::Corruption("chunk: bad point count");
  a->count = count;
  LAKE_RETURN_IF_ERROR(in.Fixed(&a->sum));
  LAKE_RETURN_IF_ERROR(in.Fixed(&a->m2));
  LAKE_RETURN_IF_ERROR(in.Fixed(&a->min));
  LAKE_RETURN_IF_ERROR(in.Fixed(&a->max));
  LAKE_RETURN_IF_ERROR(in.Fixed(&a->first_ts));
  LAKE_RETURN_IF_ERROR(in.Fixed(&a->first));
  LAKE_RETURN_IF_ERROR(in.Fixed(&a->last_ts));
  return in.Fixed(&a->last);
}

Status ReadHeader(ByteReader& in, ChunkHeader* header) {
  std::uint8_t version, codec, flags;
  LAKE_RETURN_IF_ERROR(in.Fixed(&version));
  LAKE_RETURN_IF_ERROR(in.Fixed(&codec));
  LAKE_RETURN_IF_ERROR(in.Fixed(&flags));
  if (version != kFormatVersion) return Status::Corruption("chunk: unknown format version");
  if (codec > static_cast<std::uint8_t>(ValueCodec::kGorilla) || (flags & ~kFlagZstd) != 0)
    return Status::Corruption("chunk: unknown codec or flags");
  header->codec = static_cast<ValueCodec>(codec);
  header->zstd = (flags & kFlagZstd) != 0;
  return ReadStats(in, &header->stats);
}

}  // namespace

std::string EncodeChunk(std::span<const std::int64_t> timestamps, std::span<const double> values,
                        const ChunkEncodeOptions& options) {
  std::string body;
  ByteWriter body_out(&body);
  EncodeTimestamps(timestamps, body_out);
  const std::size_t timestamp_bytes = body.size();
  EncodeAlp(values, body_out);
  ValueCodec codec = ValueCodec::kAlp;
  std::string gorilla;
  ByteWriter gorilla_out(&gorilla);
  EncodeGorilla(values, gorilla_out);
  if (gorilla.size() < body.size() - timestamp_bytes) {
    body.resize(timestamp_bytes);
    body += gorilla;
    codec = ValueCodec::kGorilla;
  }
  std::string chunk;
  ByteWriter out(&chunk);
  out.Fixed(kFormatVersion);
  out.Fixed(static_cast<std::uint8_t>(codec));
  out.Fixed<std::uint8_t>(options.zstd ? kFlagZstd : 0);
  WriteStats(Summarize(timestamps.data(), values.data(), values.size()), out);
  if (!options.zstd) {
    chunk += body;
    return chunk;
  }
  out.Varint(body.size());
  const std::size_t header_bytes = chunk.size();
  chunk.resize(header_bytes + ZSTD_compressBound(body.size()));
  const std::size_t compressed =
      ZSTD_compress(chunk.data() + header_bytes, chunk.size() - header_bytes, body.data(),
                    body.size(), kZstdLevel);
  chunk.resize(header_bytes + compressed);
  return chunk;
}

Result<ChunkHeader> ReadChunkHeader(std::string_view chunk) {
  ByteReader in(chunk);
  ChunkHeader header;
  LAKE_RETURN_IF_ERROR(ReadHeader(in, &header));
  return header;
}

Status DecodeChunk(std::string_view chunk, DecodedChunk* out) {
  ByteReader in(chunk);
  ChunkHeader header;
  LAKE_RETURN_IF_ERROR(ReadHeader(in, &header));
  std::string inflated;
  if (header.zstd) {
    std::uint64_t body_size;
    LAKE_RETURN_IF_ERROR(in.Varint(&body_size));
    const std::size_t compressed_size = in.remaining();
    const char* compressed = nullptr;
    LAKE_RETURN_IF_ERROR(in.Bytes(compressed_size, &compressed));
    // Timestamps and values of a chunk cannot exceed 2 x 8 bytes per point
    // by much; a larger claim is corrupt, not a reason to allocate.
    if (body_size > header.stats.count * 32ULL + 4096)
      return Status::Corruption("chunk: implausible inflated size");
    inflated.resize(body_size);
    const std::size_t got =
        ZSTD_decompress(inflated.data(), inflated.size(), compressed, compressed_size);
    if (ZSTD_isError(got) || got != body_size) return Status::Corruption("chunk: bad zstd body");
    in = ByteReader(inflated);
  }
  const std::size_t count = header.stats.count;
  out->timestamps.resize(count);
  out->values.resize(count);
  LAKE_RETURN_IF_ERROR(DecodeTimestamps(in, out->timestamps));
  if (header.codec == ValueCodec::kAlp) return DecodeAlp(in, out->values);
  return DecodeGorilla(in, out->values);
}

}  // namespace lake::timeseries
