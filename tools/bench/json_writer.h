// A small streaming JSON writer: objects, arrays, strings (escaped),
// numbers (non-finite ones become null) and booleans, indented two spaces.
// The caller keeps the nesting balanced. The tool's single thread.
#ifndef TTYHUB_TOOLS_BENCH_JSON_WRITER_H_
#define TTYHUB_TOOLS_BENCH_JSON_WRITER_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace ttyhub::bench {

class JsonWriter {
 public:
  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  // Inside an object: the next value's key.
  void Key(absl::string_view key);
  void String(absl::string_view value);
  void Number(double value);
  void Integer(long long value);
  void Bool(bool value);
  void Null();

  // Key + value shorthands.
  void Field(absl::string_view key, absl::string_view value) {
    Key(key);
    String(value);
  }
  void Field(absl::string_view key, const char* value) {
    Key(key);
    String(value);
  }
  void Field(absl::string_view key, double value) {
    Key(key);
    Number(value);
  }
  void Field(absl::string_view key, int value) {
    Key(key);
    Integer(value);
  }
  void Field(absl::string_view key, long long value) {
    Key(key);
    Integer(value);
  }
  void Field(absl::string_view key, unsigned long long value) {
    Key(key);
    Integer(static_cast<long long>(value));
  }
  void Field(absl::string_view key, unsigned long value) {
    Key(key);
    Integer(static_cast<long long>(value));
  }
  void Field(absl::string_view key, bool value) {
    Key(key);
    Bool(value);
  }

  const std::string& text() const { return out_; }

 private:
  void BeforeValue();
  void Newline();
  void AppendQuoted(absl::string_view value);

  std::string out_;
  // Per open container: whether it has an element yet.
  std::vector<bool> has_element_;
  bool after_key_ = false;
};

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_JSON_WRITER_H_
