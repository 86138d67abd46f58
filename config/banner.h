// Banner templates: the text sent to a client when it connects.
//
// Pure functions, no I/O. The config loader validates templates with
// ValidateBanner; the engine expands them once per listener with ExpandBanner.
//
// Escapes (a superset of ser2net's):
//   \r \n \t \a \b \f \v \e \\      control characters and backslash
//   \xHH                            the byte 0xHH
//   \N   port name        \d  device        \p  TCP port of the listener
//   \B, \s  serial parameters, e.g. 9600N81
// A bare line feed in the template (e.g. from a YAML block scalar) is sent as
// CR LF, since terminals on the other end need both.
#ifndef TTYHUB_CONFIG_BANNER_H_
#define TTYHUB_CONFIG_BANNER_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ttyhub {

struct BannerContext {
  absl::string_view port_name;
  absl::string_view device;
  uint16_t tcp_port = 0;
  absl::string_view serial;  // e.g. "9600N81"
};

absl::StatusOr<std::string> ExpandBanner(absl::string_view tmpl, const BannerContext& ctx);

// Checks a template for unknown or truncated escapes.
absl::Status ValidateBanner(absl::string_view tmpl);

}  // namespace ttyhub

#endif  // TTYHUB_CONFIG_BANNER_H_
