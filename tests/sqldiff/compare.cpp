#include "compare.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace lake::sqldiff {
namespace {

bool Number(const std::string& text, double* value) {
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  const auto [at, error] = std::from_chars(text.data(), end, *value);
  return error == std::errc() && at == end;
}

bool Close(double a, double b, double tolerance) {
  return std::fabs(a - b) <= tolerance * std::max({1.0, std::fabs(a), std::fabs(b)});
}

bool SameCell(const std::optional<std::string>& a, const std::optional<std::string>& b,
              double tolerance) {
  if (!a || !b) return !a && !b;
  if (*a == *b) return true;
  double x, y;
  return Number(*a, &x) && Number(*b, &y) && Close(x, y, tolerance);
}

bool SameRow(const Row& a, const Row& b, double tolerance) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!SameCell(a[i], b[i], tolerance)) return false;
  }
  return true;
}

// A sort key that survives last-digit differences of numbers.
std::string Key(const Row& row) {
  std::string key;
  for (const auto& cell : row) {
    double x;
    if (!cell) {
      key += "\x01N";
    } else if (Number(*cell, &x)) {
      char rounded[40];
      std::snprintf(rounded, sizeof(rounded), "\x02%.8e", x);
      key += rounded;
    } else {
      key += "\x03" + *cell;
    }
    key += '\x00';
  }
  return key;
}

std::string RowText(const Row& row) {
  std::string text = "(";
  for (std::size_t i = 0; i < row.size(); ++i)
    text += (i ? ", " : "") + (row[i] ? *row[i] : std::string("NULL"));
  return text + ")";
}

std::string KnnDifference(const Answer& expected, const Answer& actual) {
  if (expected.rows.size() != actual.rows.size())
    return "kNN: " + std::to_string(expected.rows.size()) + " rows expected, " +
           std::to_string(actual.rows.size()) + " returned";
  if (expected.rows.empty()) return "";
  double kth = 0;
  for (std::size_t i = 0; i < expected.rows.size(); ++i) {
    double e, a;
    if (!expected.rows[i].back() || !actual.rows[i].back()) {
      if (expected.rows[i].back() || actual.rows[i].back())
        return "kNN: distance NULL on one side, row " + std::to_string(i);
      return "";  // no order: nothing to compare row by row
    }
    if (!Number(*expected.rows[i].back(), &e) || !Number(*actual.rows[i].back(), &a) ||
        !Close(e, a, kDistanceTolerance))
      return "kNN: distance of row " + std::to_string(i) +
             " differs: " + RowText(expected.rows[i]) + " vs " + RowText(actual.rows[i]);
    kth = e;
  }
  // Rows clearly inside the k-th distance must be the same rows.
  std::vector<std::string> inside_expected, inside_actual;
  for (std::size_t i = 0; i < expected.rows.size(); ++i) {
    double e;
    Number(*expected.rows[i].back(), &e);
    if (Close(e, kth, kDistanceTolerance * 10)) continue;
    // The row without its distance (compared above, within the tolerance).
    inside_expected.push_back(Key(Row(expected.rows[i].begin(), expected.rows[i].end() - 1)));
    inside_actual.push_back(Key(Row(actual.rows[i].begin(), actual.rows[i].end() - 1)));
  }
  std::sort(inside_expected.begin(), inside_expected.end());
  std::sort(inside_actual.begin(), inside_actual.end());
  return inside_expected == inside_actual ? "" : "kNN: different rows before the k-th distance";
}

}  // namespace

std::string Difference(const Answer& expected, const Answer& actual, CompareAs how,
                       double tolerance) {
  if (!expected.ok || !actual.ok) {
    if (!expected.ok && !actual.ok && expected.sqlstate == actual.sqlstate) return "";
    return "errors differ: heap " +
           (expected.ok ? "ok" : expected.sqlstate + " " + expected.error) + " | lake " +
           (actual.ok ? "ok" : actual.sqlstate + " " + actual.error);
  }
  if (how == CompareAs::kKnn) return KnnDifference(expected, actual);
  std::vector<Row> a = expected.rows, b = actual.rows;
  if (how == CompareAs::kMultiset) {
    const auto by_key = [](const Row& x, const Row& y) { return Key(x) < Key(y); };
    std::sort(a.begin(), a.end(), by_key);
    std::sort(b.begin(), b.end(), by_key);
  }
  std::string count;
  if (a.size() != b.size())
    count =
        std::to_string(a.size()) + " rows expected, " + std::to_string(b.size()) + " returned; ";
  for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    if (i < a.size() && i < b.size() && SameRow(a[i], b[i], tolerance)) continue;
    return count + "first difference at row " + std::to_string(i) + ": " +
           (i < a.size() ? RowText(a[i]) : "none") + " expected, " +
           (i < b.size() ? RowText(b[i]) : "none") + " returned";
  }
  return "";
}

std::string Show(const Answer& answer, std::size_t limit) {
  if (!answer.ok) return "  ERROR " + answer.sqlstate + ": " + answer.error;
  std::string text;
  for (std::size_t i = 0; i < answer.rows.size() && i < limit; ++i)
    text += "  " + RowText(answer.rows[i]) + "\n";
  if (answer.rows.size() > limit)
    text += "  ... " + std::to_string(answer.rows.size() - limit) + " more\n";
  return text.empty() ? "  (no rows)\n" : text;
}

}  // namespace lake::sqldiff
