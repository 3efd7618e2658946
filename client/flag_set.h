// Per-subcommand flags with their own --help (Abseil flags are global to the
// process, which does not fit one binary with several subcommands, each
// with its own options and usage text).
#ifndef GANSERVE_CLIENT_FLAG_SET_H_
#define GANSERVE_CLIENT_FLAG_SET_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace ganserve::client {

class FlagSet {
 public:
  FlagSet(std::string usage, std::string description);

  // `names` is "name" or "name,n" (long name, then a one-letter alias).
  void String(const std::string& names, std::string* value, const std::string& help);
  void Int(const std::string& names, int64_t* value, const std::string& help);
  void Double(const std::string& names, double* value, const std::string& help);
  void Bool(const std::string& names, bool* value, const std::string& help);
  // Accepts Go-style durations: "500ms", "10s", "1m30s".
  void Duration(const std::string& names, absl::Duration* value, const std::string& help);
  // A flag that takes `arity` values: --interpolate 3 9.
  void Strings(const std::string& names, int arity, std::vector<std::string>* values,
               const std::string& help);

  // Parses args (the subcommand's, without the program and subcommand
  // names). InvalidArgument names the flag and what was wrong.
  absl::Status Parse(const std::vector<std::string>& args);
  bool help_requested() const { return help_requested_; }
  const std::vector<std::string>& positional() const { return positional_; }
  // True if the flag appeared on the command line.
  bool WasSet(const std::string& long_name) const;
  std::string Help() const;

 private:
  struct Flag {
    std::string name, alias, help, default_text;
    int arity = 1;  // 0 for booleans
    bool set = false;
    std::function<absl::Status(const std::vector<std::string>&)> assign;
  };
  Flag& Add(const std::string& names, const std::string& help, int arity, std::string default_text);
  Flag* Find(const std::string& name);

  std::string usage_, description_;
  std::vector<Flag> flags_;
  std::vector<std::string> positional_;
  bool help_requested_ = false;
};

}  // namespace ganserve::client

#endif  // GANSERVE_CLIENT_FLAG_SET_H_
