// The manifest's rules that stop an attack before a byte is downloaded: the
// names it may carry, and how a release compares with what is installed.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/hashing.h"
#include "core/json.h"
#include "core/manifest.h"

namespace posfleet {
namespace {

using namespace std::string_literals;

// A signed-part JSON text with one component; `filename` and `name` go in as
// JSON strings, so a NUL travels as \u0000 the way an attacker would send it.
std::string envelope(const std::string& name, const std::string& filename,
                     const std::string& version = "2.1.0") {
  boost::json::object comp{{"name", name},
                           {"version", version},
                           {"filename", filename},
                           {"sha256", sha256_hex("x")},
                           {"length", 1}};
  boost::json::object signed_part{{"type", "posfleet-release"},
                                  {"schema", 1},
                                  {"version", "2.1.0"},
                                  {"expires", "2099-01-01T00:00:00Z"},
                                  {"models", boost::json::array{"A920"}},
                                  {"components", boost::json::array{comp}}};
  return json::serialize(
      boost::json::object{{"signed", signed_part}, {"signatures", boost::json::array{}}});
}

TEST(ManifestNames, FileNamesAreRefusedWhenTheManifestIsParsed) {
  struct Case {
    std::string filename;
    bool ok;
  };
  const Case cases[] = {
      {"os.img", true},
      {"payment-app_5.0+1.apk", true},
      {std::string(100, 'x'), true},
      {"os\0.img"s, false},  // a NUL would cut the name where the file lands
      {"..", false},
      {".", false},
      {".hidden", false},
      {"a/b.img", false},
      {"a\\b.img", false},
      {"a b.img", false},
      {"os\n.img", false},
      {"镜像.img", false},
      {std::string(101, 'x'), false},
      {"", false},
      {"slot.json", false},          // the slot's own record
      {"slot.json.tmp.1.2", false},  // and its temporary files
  };
  for (const auto& c : cases) {
    auto parsed = SignedManifest::parse(envelope("os", c.filename));
    EXPECT_EQ(static_cast<bool>(parsed), c.ok) << json::serialize(boost::json::string(c.filename));
    if (!parsed) {
      EXPECT_EQ(parsed.error().code, Code::kParse);
      // The reason never carries the raw bytes.
      for (char ch : parsed.error().message) EXPECT_NE(ch, '\0');
      EXPECT_EQ(parsed.error().message.find('\n'), std::string::npos);
    }
  }
}

TEST(ManifestNames, ComponentNamesAndVersionsAreChecked) {
  EXPECT_TRUE(SignedManifest::parse(envelope("payment-app", "p.apk")));
  for (const std::string& name : {"pay ment"s, ".."s, "a/b"s, "os\0x"s, std::string(65, 'n'), ""s})
    EXPECT_FALSE(SignedManifest::parse(envelope(name, "p.apk"))) << name;
  EXPECT_FALSE(SignedManifest::parse(envelope("os", "os.img", "latest")));
}

TEST(ManifestNames, TwoComponentsMayNotShareAFile) {
  std::string text = envelope("os", "os.img");
  auto v = json::parse(text);
  auto& comps = v->as_object()["signed"].as_object()["components"].as_array();
  auto second = comps[0].as_object();
  second["name"] = "app";
  comps.push_back(second);
  auto parsed = SignedManifest::parse(json::serialize(*v));
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message.find("twice"), std::string::npos);
}

// A component's deltas: each field checked as the component's own, and written back the same.
TEST(ManifestDeltas, AreCheckedWhenParsedAndRoundTrip) {
  auto with_deltas = [](boost::json::array deltas) {
    auto v = json::parse(envelope("os", "os.img"));
    v->as_object()["signed"].as_object()["components"].as_array()[0].as_object()["deltas"] =
        std::move(deltas);
    return json::serialize(*v);
  };
  auto delta = [](const std::string& file, const std::string& from) {
    return boost::json::object{{"from_version", "2.0.0"},
                               {"from_sha256", from},
                               {"filename", file},
                               {"sha256", sha256_hex("patch")},
                               {"length", 5}};
  };
  const std::string a = sha256_hex("2.0.0"), b = sha256_hex("1.9.0");
  auto good = SignedManifest::parse(
      with_deltas({delta("os_2.0.0.pfdelta", a), delta("os_1.9.0.pfdelta", b)}));
  ASSERT_TRUE(good) << good.error().to_string();
  const auto& c = good->manifest.components[0];
  ASSERT_EQ(c.deltas.size(), 2u);
  EXPECT_EQ(c.delta_from(b)->filename, "os_1.9.0.pfdelta");
  EXPECT_EQ(c.delta_from(sha256_hex("other")), nullptr);
  auto again = SignedManifest::parse(good->to_json_text());
  ASSERT_TRUE(again);
  EXPECT_EQ(json::canonical(again->manifest.to_json()), json::canonical(good->manifest.to_json()));
  EXPECT_NE(again->signed_bytes().find("\"deltas\":[{"), std::string::npos);

  auto changed = [&](const char* field, boost::json::value v) {
    auto d = delta("os_2.0.0.pfdelta", a);
    d[field] = std::move(v);
    return with_deltas({d});
  };
  const std::pair<const char*, std::string> bad[] = {
      {"a file name with a slash", changed("filename", "../os.img")},
      {"the component's own file", with_deltas({delta("os.img", a)})},
      {"a source version that is none", changed("from_version", "old")},
      {"a source hash that is none", changed("from_sha256", "abc")},
      {"the component as its own source",
       changed("from_sha256", boost::json::string(sha256_hex("x")))},
      {"a patch hash that is none", changed("sha256", 7)},
      {"an empty patch", changed("length", 0)},
      {"a negative length", changed("length", -1)},
      {"two patches from one source", with_deltas({delta("p1", a), delta("p2", a)})},
      {"two patches in one file", with_deltas({delta("p1", a), delta("p1", b)})},
  };
  for (const auto& [what, text] : bad) EXPECT_FALSE(SignedManifest::parse(text)) << what;
  boost::json::array many;
  for (int i = 0; i <= static_cast<int>(Component::kMaxDeltas); ++i)
    many.push_back(delta("p" + std::to_string(i), sha256_hex(std::to_string(i))));
  EXPECT_FALSE(SignedManifest::parse(with_deltas(many))) << "more than kMaxDeltas";
  auto v = json::parse(envelope("os", "os.img"));
  v->as_object()["signed"].as_object()["components"].as_array()[0].as_object()["deltas"] = "x";
  EXPECT_FALSE(SignedManifest::parse(json::serialize(*v))) << "deltas not a list";
}

// A manifest without deltas keeps the signed bytes it had before deltas existed.
TEST(ManifestDeltas, AreWrittenOnlyWhenThereAreAny) {
  auto m = SignedManifest::parse(envelope("os", "os.img"));
  ASSERT_TRUE(m);
  EXPECT_EQ(json::canonical(m->manifest.to_json()).find("deltas"), std::string::npos);
}

// A component's zchunk file: checked as a delta is, written back the same, absent unless set.
TEST(ManifestZchunk, IsCheckedWhenParsedAndRoundTrips) {
  auto with_zchunk = [](boost::json::value z) {
    auto v = json::parse(envelope("os", "os.img"));
    v->as_object()["signed"].as_object()["components"].as_array()[0].as_object()["zchunk"] =
        std::move(z);
    return json::serialize(*v);
  };
  auto zchunk = [](const std::string& file, const std::string& sha, boost::json::value length) {
    return boost::json::object{{"filename", boost::json::string(file)},
                               {"sha256", boost::json::string(sha)},
                               {"length", std::move(length)}};
  };
  const std::string sha = sha256_hex("zck");
  auto good = SignedManifest::parse(with_zchunk(zchunk("os.img.zck", sha, 9)));
  ASSERT_TRUE(good) << good.error().to_string();
  const auto& z = good->manifest.components[0].zchunk;
  ASSERT_TRUE(z);
  EXPECT_EQ(z->filename, "os.img.zck");
  EXPECT_EQ(z->length, 9u);
  auto again = SignedManifest::parse(good->to_json_text());
  ASSERT_TRUE(again);
  EXPECT_EQ(json::canonical(again->manifest.to_json()), json::canonical(good->manifest.to_json()));

  auto plain = SignedManifest::parse(envelope("os", "os.img"));
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->manifest.components[0].zchunk);
  EXPECT_EQ(json::canonical(plain->manifest.to_json()).find("zchunk"), std::string::npos);

  const std::pair<const char*, std::string> bad[] = {
      {"not an object", with_zchunk("os.img.zck")},
      {"a file name with a slash", with_zchunk(zchunk("../x.zck", sha, 9))},
      {"the component's own file name", with_zchunk(zchunk("os.img", sha, 9))},
      {"a hash that is none", with_zchunk(zchunk("os.img.zck", "abc", 9))},
      {"the component's own hash", with_zchunk(zchunk("os.img.zck", sha256_hex("x"), 9))},
      {"an empty file", with_zchunk(zchunk("os.img.zck", sha, 0))},
      {"a length that is text", with_zchunk(zchunk("os.img.zck", sha, "9"))},
  };
  for (const auto& [what, text] : bad) EXPECT_FALSE(SignedManifest::parse(text)) << what;
}

// check_against_installed: one row per situation.
TEST(ManifestInstalled, ComparesReleaseAndComponentsWithTheSlot) {
  auto release = [](std::string version, std::vector<Component> comps, bool rollback = false) {
    SignedManifest sm;
    sm.manifest.version = std::move(version);
    sm.manifest.models = {"A920"};
    sm.manifest.rollback = rollback;
    sm.manifest.components = std::move(comps);
    return sm;
  };
  const Component os1{"os", "2.1.0", "os.img", sha256_hex("os-a"), 4};
  const Component os1_other{"os", "2.1.0", "os.img", sha256_hex("os-b"), 4};
  const Component os0{"os", "2.0.0", "os.img", sha256_hex("os-0"), 4};
  const Component app{"app", "1.0.0", "app.apk", sha256_hex("app"), 3};
  const SignedManifest installed_release = release("2.1.0", {os1, app});
  const InstalledRelease installed{"2.1.0", manifest_sha256(installed_release), {os1, app}};
  const InstalledRelease factory{"1.0.0", "", {}};

  struct Case {
    const char* what;
    SignedManifest m;
    std::vector<std::string> wanted;
    InstalledRelease on;
    Code want_error;  // kOk: no error
    Applies applies;
  };
  const Case cases[] = {
      {"a newer release",
       release("2.2.0", {os1, app}),
       {"os", "app"},
       installed,
       Code::kOk,
       Applies::kInstall},
      {"the same manifest again (a replay)",
       installed_release,
       {"os", "app"},
       installed,
       Code::kOk,
       Applies::kAlreadyInstalled},
      {"same version, other bytes",
       release("2.1.0", {os1_other, app}),
       {"os", "app"},
       installed,
       Code::kVersionReused,
       Applies::kInstall},
      {"same version, same bytes, other manifest",
       release("2.1.0", {os1, app}, false),
       {"os"},
       InstalledRelease{"2.1.0", "other", {os1, app}},
       Code::kVersionReused,
       Applies::kInstall},
      {"same version on a factory image",
       release("1.0.0", {os1}),
       {"os"},
       factory,
       Code::kVersionReused,
       Applies::kInstall},
      {"a component goes down",
       release("2.2.0", {os0, app}),
       {"os", "app"},
       installed,
       Code::kDowngrade,
       Applies::kInstall},
      {"a component changes under its version",
       release("2.2.0", {os1_other, app}),
       {"os"},
       installed,
       Code::kVersionReused,
       Applies::kInstall},
      {"a component left out is not compared",
       release("2.2.0", {os0, app}),
       {"app"},
       installed,
       Code::kOk,
       Applies::kInstall},
      {"a signed rollback may go down",
       release("2.2.0", {os0, app}, true),
       {"os", "app"},
       installed,
       Code::kOk,
       Applies::kInstall},
      {"a signed rollback may reuse a version",
       release("2.1.0", {os1_other}, true),
       {"os"},
       installed,
       Code::kOk,
       Applies::kInstall},
      {"a first install", release("2.1.0", {os1}), {"os"}, factory, Code::kOk, Applies::kInstall},
  };
  for (const auto& c : cases) {
    auto got = check_against_installed(c.m, c.wanted, c.on);
    if (c.want_error == Code::kOk) {
      ASSERT_TRUE(got) << c.what << ": " << got.error().to_string();
      EXPECT_EQ(*got, c.applies) << c.what;
    } else {
      ASSERT_FALSE(got) << c.what;
      EXPECT_EQ(got.error().code, c.want_error) << c.what;
    }
  }
}

TEST(ManifestInstalled, TheSameManifestWithMoreComponentsWantedInstalls) {
  SignedManifest sm;
  sm.manifest.version = "2.1.0";
  sm.manifest.components = {{"os", "2.1.0", "os.img", sha256_hex("os"), 2},
                            {"app", "1.0.0", "app.apk", sha256_hex("app"), 3}};
  const InstalledRelease only_os{"2.1.0", manifest_sha256(sm), {sm.manifest.components[0]}};
  EXPECT_EQ(*check_against_installed(sm, {"os"}, only_os), Applies::kAlreadyInstalled);
  EXPECT_EQ(*check_against_installed(sm, {"os", "app"}, only_os), Applies::kInstall);
}

}  // namespace
}  // namespace posfleet
