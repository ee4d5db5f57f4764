#include "server/service.h"

#include "common/log.h"

namespace lake::server {

using namespace protocol;

template <typename Request>
Result<std::string> Service::Serve(Caller& caller, std::string_view payload) {
  LAKE_ASSIGN_OR_RETURN(Request request, Decode<Request>(payload));
  LAKE_ASSIGN_OR_RETURN(auto reply, Do(caller, request));
  return Encode(reply);
}

Result<std::string> Service::Handle(Caller& caller, const Frame& request) {
  const auto started = std::chrono::steady_clock::now();
  const auto type = static_cast<MessageType>(request.type);
  Result<std::string> reply = Status::Ok();
  if (type == MessageType::kAuthenticate) {
    reply = Serve<AuthenticateRequest>(caller, request.payload);
  } else if (!caller.authenticated) {
    reply = Status::PermissionDenied("authenticate first");
  } else if (caller.in_transaction && IsStagedWrite(type)) {
    reply = Stage(caller, type, request.payload);
  } else {
    reply = Dispatch(caller, type, request.payload);
  }
  stats_.Record(request.type, std::chrono::steady_clock::now() - started, reply.ok());
  if (!reply.ok()) {
    const StatusCode code = reply.status().code();
    if (code == StatusCode::kInternal || code == StatusCode::kCorruption ||
        code == StatusCode::kIOError) {
      Log(LogLevel::kError,
          std::string(MessageName(request.type)) + " failed: " + reply.status().ToString());
    }
  }
  return reply;
}

Result<std::string> Service::Dispatch(Caller& caller, MessageType type, std::string_view payload) {
  switch (type) {
#define LAKE_SERVE(name)     \
  case MessageType::k##name: \
    return Serve<name##Request>(caller, payload);
    LAKE_SERVE(Ping)
    LAKE_SERVE(Stats)
    LAKE_SERVE(CreateToken)
    LAKE_SERVE(RevokeToken)
    LAKE_SERVE(SnapshotIndexes)
    LAKE_SERVE(Checkpoint)
    LAKE_SERVE(Flush)
    LAKE_SERVE(CreateCollection)
    LAKE_SERVE(DropCollection)
    LAKE_SERVE(ListCollections)
    LAKE_SERVE(RebuildIndex)
    LAKE_SERVE(SetActiveVersion)
    LAKE_SERVE(Upsert)
    LAKE_SERVE(Get)
    LAKE_SERVE(Delete)
    LAKE_SERVE(Search)
    LAKE_SERVE(ScanRecords)
    LAKE_SERVE(DeleteMatching)
    LAKE_SERVE(UpdateMetadata)
    LAKE_SERVE(EnsureSeries)
    LAKE_SERVE(FindSeries)
    LAKE_SERVE(DescribeSeries)
    LAKE_SERVE(WritePoints)
    LAKE_SERVE(WriteTexts)
    LAKE_SERVE(Scan)
    LAKE_SERVE(TimeBucket)
    LAKE_SERVE(LastPoint)
    LAKE_SERVE(EstimatePoints)
    LAKE_SERVE(DeleteRange)
    LAKE_SERVE(GetRetention)
    LAKE_SERVE(SetRetention)
    LAKE_SERVE(ApplyRetention)
    LAKE_SERVE(BeginTransaction)
    LAKE_SERVE(CommitTransaction)
    LAKE_SERVE(AbortTransaction)
    LAKE_SERVE(TransactionStatus)
    LAKE_SERVE(PrepareTransaction)
    LAKE_SERVE(ResolvePrepared)
    LAKE_SERVE(ListPrepared)
#undef LAKE_SERVE
    case MessageType::kAuthenticate:
      break;
  }
  return Status::InvalidArgument("unknown message type " + std::to_string(int(type)));
}

Status Service::RequireAdmin(const Caller& caller, std::string_view what) {
  if (caller.admin) return Status::Ok();
  return Status::PermissionDenied(std::string(what) + " needs the admin token");
}

}  // namespace lake::server
