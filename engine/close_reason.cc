// Close reason texts. See close_reason.h.
#include "engine/close_reason.h"

namespace ttyhub {

absl::string_view CloseReasonText(CloseReason reason) {
  switch (reason) {
#define TTYHUB_CLOSE_REASON_TEXT(name, counter, text) \
  case CloseReason::name:                             \
    return text;
    TTYHUB_CLOSE_REASONS(TTYHUB_CLOSE_REASON_TEXT)
#undef TTYHUB_CLOSE_REASON_TEXT
  }
  return "?";
}

}  // namespace ttyhub
