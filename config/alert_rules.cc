// Alert name and regex checks. See alert_rules.h.
#include "config/alert_rules.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "re2/re2.h"

namespace ttyhub {

bool IsValidAlertName(absl::string_view name) {
  return !name.empty() && name.size() <= kMaxAlertNameBytes &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ||
                  c == '.';
         });
}

absl::Status ValidateAlertRegex(absl::string_view regex) {
  if (regex.empty()) return absl::InvalidArgumentError("is empty; give a regular expression");
  if (regex.size() > kMaxAlertRegexBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("is ", regex.size(), " bytes; at most ", kMaxAlertRegexBytes, " are allowed"));
  }
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(kAlertRegexMaxMem);
  const RE2 re(re2::StringPiece(regex.data(), regex.size()), options);
  if (re.error_code() == RE2::ErrorPatternTooLarge) {
    return absl::InvalidArgumentError(absl::StrCat("is too large: RE2 could not compile it within ",
                                                   kAlertRegexMaxMem, " bytes of memory"));
  }
  if (!re.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("is not a valid RE2 regular expression: ", re.error(), " (see RE2's syntax)"));
  }
  return absl::OkStatus();
}

}  // namespace ttyhub
