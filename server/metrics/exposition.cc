#include "server/metrics/exposition.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace posfleet::metrics {

std::string escape_label_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 9.007199254740992e15)
    return std::to_string(static_cast<long long>(v));
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::to_string(v);
}

void Exposition::family(std::string_view name, std::string_view type, std::string_view help) {
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  for (char c : help) out_ += c == '\n' ? ' ' : c;
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type;
  out_ += '\n';
}

void Exposition::sample(std::string_view name, const Labels& labels, double value) {
  out_ += name;
  if (!labels.empty()) {
    out_ += '{';
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (i) out_ += ',';
      out_ += labels[i].first;
      out_ += "=\"";
      out_ += escape_label_value(labels[i].second);
      out_ += '"';
    }
    out_ += '}';
  }
  out_ += ' ';
  out_ += format_value(value);
  out_ += '\n';
}

void Exposition::histogram(std::string_view name, const Labels& labels, const Histogram& h) {
  const std::string bucket = std::string(name) + "_bucket";
  for (std::size_t i = 0; i < Histogram::kBounds.size(); ++i) {
    Labels with = labels;
    with.emplace_back("le", format_value(Histogram::kBounds[i]));
    sample(bucket, with, static_cast<double>(h.cumulative(i)));
  }
  Labels inf = labels;
  inf.emplace_back("le", "+Inf");
  // Read while requests add: the +Inf bucket is never below the last bound's.
  const auto count = std::max(h.count(), h.cumulative(Histogram::kBounds.size() - 1));
  sample(bucket, inf, static_cast<double>(count));
  sample(std::string(name) + "_sum", labels, h.sum_seconds());
  sample(std::string(name) + "_count", labels, static_cast<double>(count));
}

}  // namespace posfleet::metrics
