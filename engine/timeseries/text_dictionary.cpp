#include "timeseries/text_dictionary.h"

#include "storage/key_codec.h"

namespace lake::timeseries {

namespace {

using storage::Family;

constexpr char kTextPrefix = 'T';

std::string TextKey(std::uint32_t code) {
  std::string key(1, kTextPrefix);
  storage::AppendU32(&key, code);
  return key;
}

}  // namespace

Status TextDictionary::Load(storage::Store* store) {
  store_ = store;
  Status error;
  LAKE_RETURN_IF_ERROR(store->ScanPrefix(Family::kSeries, std::string(1, kTextPrefix),
                                         [&](std::string_view key, std::string_view value) {
                                           storage::KeyReader reader(key.substr(1));
                                           const std::uint32_t code = reader.ReadU32();
                                           if (!reader.done() || code != texts_.size()) {
                                             error = Status::Corruption(
                                                 "time series: text dictionary has a gap");
                                             return false;
                                           }
                                           texts_.emplace_back(value);
                                           codes_.emplace(texts_.back(), code);
                                           return true;
                                         }));
  return error;
}

Result<std::vector<double>> TextDictionary::Encode(std::span<const std::string_view> texts) {
  for (std::size_t i = 0; i < texts.size(); ++i) {
    if (texts[i].size() > kMaxTextBytes)
      return Status::InvalidArgument("text " + std::to_string(i) + ": longer than 16 KiB");
  }
  std::lock_guard lock(mutex_);
  std::vector<double> codes;
  codes.reserve(texts.size());
  storage::WriteBatch added;
  const std::size_t known = texts_.size();
  for (std::string_view text : texts) {
    auto it = codes_.find(text);
    if (it == codes_.end()) {
      it = codes_.emplace(std::string(text), static_cast<std::uint32_t>(texts_.size())).first;
      texts_.emplace_back(text);
      added.Put(Family::kSeries, TextKey(it->second), text);
    }
    codes.push_back(static_cast<double>(it->second));
  }
  if (added.Count() > 0) {
    if (Status status = store_->Write(added, {}); !status.ok()) {
      // Forget the codes that did not become durable.
      for (std::size_t c = known; c < texts_.size(); ++c)
        codes_.erase(texts_[c]);
      texts_.resize(known);
      return status;
    }
  }
  return codes;
}

Result<std::string> TextDictionary::Decode(double code) const {
  std::lock_guard lock(mutex_);
  if (!(code >= 0) || code >= static_cast<double>(texts_.size()) ||
      code != static_cast<double>(static_cast<std::uint32_t>(code)))
    return Status::Corruption("time series: unknown text code");
  return texts_[static_cast<std::size_t>(code)];
}

}  // namespace lake::timeseries
