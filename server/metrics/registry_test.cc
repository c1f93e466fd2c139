#include "server/metrics/registry.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "server/metrics/exposition.h"

namespace posfleet::metrics {
namespace {

TEST(HistogramTest, BucketsAreCumulativeWithSumAndCount) {
  Histogram h;
  h.observe(0.001);  // <= 0.005
  h.observe(0.005);  // on the bound: counted in it
  h.observe(0.2);    // <= 0.25
  h.observe(60);     // beyond the last bound: only +Inf
  EXPECT_EQ(h.cumulative(0), 2u);
  EXPECT_EQ(h.cumulative(4), 2u);   // <= 0.1
  EXPECT_EQ(h.cumulative(5), 3u);   // <= 0.25
  EXPECT_EQ(h.cumulative(10), 3u);  // <= 10
  EXPECT_EQ(h.count(), 4u);
  EXPECT_NEAR(h.sum_seconds(), 60.206, 1e-9);
}

TEST(HistogramTest, ManyThreadsLoseNoObservation) {
  RouteStats stats;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&stats, t] {
      for (int i = 0; i < 10000; ++i) stats.record(t % 2 ? 200 : 503, 0.01);
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(stats.total(), 40000u);
  EXPECT_EQ(stats.by_class[1].load(), 20000u);
  EXPECT_EQ(stats.by_class[4].load(), 20000u);
  EXPECT_EQ(stats.latency.count(), 40000u);
}

TEST(HttpMetricsTest, OneSeriesPerMethodAndPattern) {
  HttpMetrics m;
  auto& a = m.route("GET", "/api/v1/terminals/{serial}");
  auto& b = m.route("POST", "/api/v1/terminals/{serial}");
  EXPECT_NE(&a, &b);
  for (int i = 0; i < 100; ++i) m.route("GET", "/r" + std::to_string(i));  // grows
  EXPECT_EQ(&a, &m.route("GET", "/api/v1/terminals/{serial}"));            // still valid
}

TEST(ExpositionTest, WritesTheTextFormat) {
  Exposition out;
  out.family("x_total", "counter", "Things.\nMore.");
  out.sample("x_total", {{"route", "/a/{b}"}, {"q", "say \"hi\"\\\n"}}, 3);
  out.sample("x_total", {}, 0.25);
  EXPECT_EQ(out.text(),
            "# HELP x_total Things. More.\n"
            "# TYPE x_total counter\n"
            "x_total{route=\"/a/{b}\",q=\"say \\\"hi\\\"\\\\\\n\"} 3\n"
            "x_total 0.25\n");
}

TEST(ExpositionTest, HistogramHasBucketsInfSumAndCount) {
  Histogram h;
  h.observe(0.02);
  h.observe(3);
  Exposition out;
  out.histogram("d_seconds", {{"route", "/r"}}, h);
  const auto& t = out.text();
  EXPECT_NE(t.find("d_seconds_bucket{route=\"/r\",le=\"0.01\"} 0\n"), std::string::npos) << t;
  EXPECT_NE(t.find("d_seconds_bucket{route=\"/r\",le=\"0.025\"} 1\n"), std::string::npos) << t;
  EXPECT_NE(t.find("d_seconds_bucket{route=\"/r\",le=\"5\"} 2\n"), std::string::npos) << t;
  EXPECT_NE(t.find("d_seconds_bucket{route=\"/r\",le=\"+Inf\"} 2\n"), std::string::npos) << t;
  EXPECT_NE(t.find("d_seconds_sum{route=\"/r\"} 3.02\n"), std::string::npos) << t;
  EXPECT_NE(t.find("d_seconds_count{route=\"/r\"} 2\n"), std::string::npos) << t;
}

TEST(ExpositionTest, ValuesAreIntegersWhenWhole) {
  EXPECT_EQ(format_value(12), "12");
  EXPECT_EQ(format_value(-1), "-1");
  EXPECT_EQ(format_value(0.5), "0.5");
  EXPECT_EQ(format_value(1e300), "1e+300");
}

}  // namespace
}  // namespace posfleet::metrics
