// The protocol's framing: frames come back whole however the stream is cut,
// malformed, truncated and oversized input gives errors (never a crash or an
// allocation beyond the limit), and typed errors survive the trip.
#include <gtest/gtest.h>

#include <random>

#include "protocol/frame.h"

namespace lake::protocol {
namespace {

TEST(Hello, NamesTheProtocolAndVersion) {
  const std::string hello = EncodeHello();
  ASSERT_EQ(hello.size(), kHelloBytes);
  auto version = DecodeHello(hello);
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*version, kProtocolVersion);
  EXPECT_EQ(*DecodeHello(EncodeHello(7)), 7);
  EXPECT_FALSE(DecodeHello("GET / HTTP/1.1").ok());
  EXPECT_FALSE(DecodeHello(hello.substr(0, 7)).ok());
  std::string reserved = hello;
  reserved[7] = 1;
  EXPECT_FALSE(DecodeHello(reserved).ok());
}

TEST(FrameDecoder, FramesComeBackWholeHoweverTheStreamIsCut) {
  std::vector<Frame> sent;
  std::string stream;
  std::mt19937 random(3);
  for (std::uint64_t id = 1; id <= 50; ++id) {
    Frame f{static_cast<std::uint16_t>(id % 7), id * 1000, std::string(random() % 3000, 'x')};
    for (char& c : f.payload)
      c = static_cast<char>(random());
    stream += EncodeFrame(f.type, f.request_id, f.payload);
    sent.push_back(std::move(f));
  }
  for (std::size_t max_piece : {std::size_t{1}, std::size_t{7}, std::size_t{4096}, stream.size()}) {
    FrameDecoder decoder;
    std::vector<Frame> received;
    for (std::size_t at = 0; at < stream.size();) {
      const std::size_t piece = std::min(stream.size() - at, 1 + random() % max_piece);
      decoder.Feed(std::string_view(stream).substr(at, piece));
      at += piece;
      for (;;) {
        auto next = decoder.Next();
        ASSERT_TRUE(next.ok()) << next.status().ToString();
        if (!next->has_value()) break;
        received.push_back(std::move(**next));
      }
    }
    ASSERT_EQ(received.size(), sent.size()) << "pieces up to " << max_piece;
    for (std::size_t i = 0; i < sent.size(); ++i) {
      EXPECT_EQ(received[i].type, sent[i].type);
      EXPECT_EQ(received[i].request_id, sent[i].request_id);
      EXPECT_EQ(received[i].payload, sent[i].payload);
    }
    EXPECT_EQ(decoder.buffered(), 0u);
  }
}

TEST(FrameDecoder, AnOversizedFrameIsRefusedFromItsHeader) {
  FrameDecoder decoder(1024);
  const std::string frame = EncodeFrame(1, 9, std::string(1025, 'a'));
  decoder.Feed(std::string_view(frame).substr(0, kFrameHeaderBytes));  // the payload never comes
  auto next = decoder.Next();
  ASSERT_FALSE(next.ok());
  EXPECT_NE(next.status().message().find("over the limit of 1024"), std::string::npos);
  decoder.Feed(EncodeFrame(1, 10, "fine"));
  EXPECT_FALSE(decoder.Next().ok()) << "a failed stream stays failed";
}

TEST(FrameDecoder, ReservedFlagsAreRefused) {
  std::string frame = EncodeFrame(1, 1, "x");
  frame[6] = 1;
  FrameDecoder decoder;
  decoder.Feed(frame);
  EXPECT_FALSE(decoder.Next().ok());
}

TEST(FrameDecoder, TruncatedInputWaitsAndNeverInventsAFrame) {
  const std::string frame = EncodeFrame(3, 4, "payload");
  for (std::size_t cut = 0; cut < frame.size(); ++cut) {
    FrameDecoder decoder;
    decoder.Feed(frame.substr(0, cut));
    auto next = decoder.Next();
    ASSERT_TRUE(next.ok());
    EXPECT_FALSE(next->has_value()) << "cut at " << cut;
  }
}

TEST(FrameDecoder, RandomBytesGiveErrorsOrFramesWithinTheLimit) {
  std::mt19937 random(11);
  for (int trial = 0; trial < 2000; ++trial) {
    FrameDecoder decoder(4096);
    std::string garbage(random() % 200, '\0');
    for (char& c : garbage)
      c = static_cast<char>(random());
    decoder.Feed(garbage);
    for (int i = 0; i < 20; ++i) {
      auto next = decoder.Next();
      if (!next.ok() || !next->has_value()) break;
      EXPECT_LE((*next)->payload.size(), 4096u);
    }
    EXPECT_LE(decoder.buffered(), garbage.size());
  }
}

TEST(Status, TypedErrorsTravel) {
  const Status sent = Status::InvalidArgument("expected 768 dimensions, got 767");
  const Status received = DecodeStatus(EncodeStatus(sent));
  EXPECT_EQ(received.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(received.message(), sent.message());
  EXPECT_EQ(DecodeStatus("").code(), StatusCode::kCorruption);
  std::string unknown_code = EncodeStatus(sent);
  unknown_code[0] = 99;
  EXPECT_EQ(DecodeStatus(unknown_code).code(), StatusCode::kCorruption);
  std::string truncated = EncodeStatus(sent);
  truncated.pop_back();
  EXPECT_EQ(DecodeStatus(truncated).code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace lake::protocol
