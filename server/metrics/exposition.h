// posfleet server: writing the Prometheus text exposition format 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/): for each
// metric family "# HELP" and "# TYPE" lines, then its samples, one a line:
// `name{label="value",…} value`. Label values are escaped (\\, \", \n);
// values are integers when whole, else shortest round-trip decimals; +Inf for
// a histogram's last bucket.
// Thread-safety: one Exposition per scrape, one thread.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/metrics/registry.h"

namespace posfleet::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Exposition {
 public:
  // Starts a family; `type` is counter, gauge or histogram.
  void family(std::string_view name, std::string_view type, std::string_view help);
  void sample(std::string_view name, const Labels& labels, double value);
  // The _bucket, _sum and _count lines of `h` under `name`.
  void histogram(std::string_view name, const Labels& labels, const Histogram& h);
  const std::string& text() const { return out_; }

  static constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

 private:
  std::string out_;
};

std::string escape_label_value(std::string_view v);
std::string format_value(double v);

}  // namespace posfleet::metrics
