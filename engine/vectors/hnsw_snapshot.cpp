#include "vectors/hnsw_snapshot.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "common/hash.h"

namespace lake::vectors {

namespace {

constexpr char kMagic[8] = {'L', 'A', 'K', 'E', 'H', 'N', 'S', 'W'};
constexpr std::uint32_t kFormat = 1;

class Writer {
 public:
  template <typename T>
  void Put(T value) {
    bytes_.append(reinterpret_cast<const char*>(&value), sizeof(value));
  }
  template <typename T>
  void PutArray(const std::vector<T>& values) {
    Put<std::uint64_t>(values.size());
    bytes_.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
  }
  std::string& bytes() { return bytes_; }

 private:
  std::string bytes_;
};

class Reader {
 public:
  explicit Reader(std::string_view bytes) : rest_(bytes) {}
  template <typename T>
  T Get() {
    T value{};
    if (rest_.size() < sizeof(T)) {
      ok_ = false;
      return value;
    }
    std::memcpy(&value, rest_.data(), sizeof(T));
    rest_.remove_prefix(sizeof(T));
    return value;
  }
  template <typename T>
  std::vector<T> GetArray() {
    const std::uint64_t count = Get<std::uint64_t>();
    if (!ok_ || count > rest_.size() / sizeof(T)) {
      ok_ = false;
      return {};
    }
    std::vector<T> values(count);
    std::memcpy(values.data(), rest_.data(), count * sizeof(T));
    rest_.remove_prefix(count * sizeof(T));
    return values;
  }
  bool ok() const { return ok_; }
  bool done() const { return ok_ && rest_.empty(); }

 private:
  std::string_view rest_;
  bool ok_ = true;
};

Status WriteFileDurably(const std::string& path, std::string_view bytes) {
  const std::string temporary = path + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError("cannot write " + temporary + ": " + std::strerror(errno));
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string error = std::strerror(errno);
      ::close(fd);
      return Status::IOError("cannot write " + temporary + ": " + error);
    }
    written += std::size_t(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced || ::rename(temporary.c_str(), path.c_str()) != 0) {
    return Status::IOError("cannot install " + path + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace

std::string EncodeHnswSnapshot(const HnswSnapshotHeader& header, const VectorTable& table,
                               const HnswIndex& index) {
  Writer out;
  out.bytes().append(kMagic, sizeof(kMagic));
  out.Put(kFormat);
  out.Put(header.collection_id);
  out.Put(header.sequence);
  out.Put(header.dimension);
  out.Put(static_cast<std::uint8_t>(header.metric));
  out.Put(static_cast<std::uint8_t>(header.codec));
  out.Put(static_cast<std::uint8_t>(header.walk_codec));
  out.Put(header.m);
  out.Put(header.ef_construction);

  out.Put<std::uint32_t>(table.slot_count());
  for (std::uint32_t slot = 0; slot < table.slot_count(); ++slot) {
    out.Put<std::uint8_t>(table.live(slot) ? 1 : 0);
    out.Put(table.key(slot).id);
    out.Put(table.key(slot).model_version);
    out.Put(table.tenant(slot));
    out.Put(table.fingerprint(slot));
  }
  HnswIndex::GraphState graph = index.ExportState();
  // Slots the index has not reserved yet are not in the graph.
  graph.levels.resize(table.slot_count(), -1);
  graph.links0.resize(std::size_t{table.slot_count()} * (2 * std::size_t(header.m) + 1), 0);
  graph.links_upper.resize(table.slot_count());
  out.PutArray(graph.levels);
  out.PutArray(graph.links0);
  for (const auto& upper : graph.links_upper)
    out.PutArray(upper);
  out.Put(graph.entry_point);
  out.Put(graph.max_level);
  out.Put(Hash64(out.bytes().data(), out.bytes().size()));
  return std::move(out.bytes());
}

Status WriteHnswSnapshot(const std::string& path, std::string_view encoded) {
  std::error_code ignored;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ignored);
  return WriteFileDurably(path, encoded);
}

Result<HnswSnapshot> ReadHnswSnapshot(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return Status::NotFound("no index snapshot at " + path);
  const std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const auto corrupt = [&](const std::string& what) {
    return Status::Corruption("index snapshot " + path + " " + what);
  };
  if (bytes.size() < sizeof(kMagic) + sizeof(std::uint64_t) ||
      std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) {
    return corrupt("is not a lake HNSW snapshot");
  }
  const std::size_t body = bytes.size() - sizeof(std::uint64_t);
  std::uint64_t stored_checksum;
  std::memcpy(&stored_checksum, bytes.data() + body, sizeof(stored_checksum));
  if (Hash64(bytes.data(), body) != stored_checksum) return corrupt("fails its checksum");

  Reader in(std::string_view(bytes).substr(sizeof(kMagic), body - sizeof(kMagic)));
  if (in.Get<std::uint32_t>() != kFormat) return corrupt("has an unknown format version");
  HnswSnapshot snapshot;
  HnswSnapshotHeader& header = snapshot.header;
  header.collection_id = in.Get<std::uint32_t>();
  header.sequence = in.Get<std::uint64_t>();
  header.dimension = in.Get<std::uint32_t>();
  header.metric = static_cast<Metric>(in.Get<std::uint8_t>());
  header.codec = static_cast<Codec>(in.Get<std::uint8_t>());
  header.walk_codec = static_cast<Codec>(in.Get<std::uint8_t>());
  header.m = in.Get<std::int32_t>();
  header.ef_construction = in.Get<std::int32_t>();

  const std::uint32_t slots = in.Get<std::uint32_t>();
  if (!in.ok()) return corrupt("is truncated");
  snapshot.slots.resize(slots);
  for (SnapshotSlot& slot : snapshot.slots) {
    slot.live = in.Get<std::uint8_t>() != 0;
    slot.key.id = in.Get<std::int64_t>();
    slot.key.model_version = in.Get<std::int32_t>();
    slot.tenant_id = in.Get<std::int64_t>();
    slot.fingerprint = in.Get<std::uint64_t>();
  }
  HnswIndex::GraphState& graph = snapshot.graph;
  graph.levels = in.GetArray<std::int8_t>();
  graph.links0 = in.GetArray<std::uint32_t>();
  if (!in.ok() || graph.levels.size() != slots) return corrupt("is truncated");
  graph.links_upper.resize(slots);
  for (auto& upper : graph.links_upper)
    upper = in.GetArray<std::uint32_t>();
  graph.entry_point = in.Get<std::uint32_t>();
  graph.max_level = in.Get<std::int32_t>();
  if (!in.done()) return corrupt("is truncated or has trailing bytes");
  return snapshot;
}

}  // namespace lake::vectors
