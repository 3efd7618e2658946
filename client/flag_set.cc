#include "client/flag_set.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace ganserve::client {

FlagSet::FlagSet(std::string usage, std::string description)
    : usage_(std::move(usage)), description_(std::move(description)) {}

FlagSet::Flag& FlagSet::Add(const std::string& names, const std::string& help, int arity,
                            std::string default_text) {
  std::vector<std::string> parts = absl::StrSplit(names, ',');
  Flag flag;
  flag.name = parts[0];
  if (parts.size() > 1) flag.alias = parts[1];
  flag.help = help;
  flag.arity = arity;
  flag.default_text = std::move(default_text);
  flags_.push_back(std::move(flag));
  return flags_.back();
}

void FlagSet::String(const std::string& names, std::string* value, const std::string& help) {
  Add(names, help, 1, *value).assign = [value](const std::vector<std::string>& v) {
    *value = v[0];
    return absl::OkStatus();
  };
}

namespace {

// An assign function for a flag parsed by `parse`, naming `kind` on error.
template <typename T, typename Parse>
std::function<absl::Status(const std::vector<std::string>&)> Parsed(T* value, std::string name,
                                                                    const char* kind, Parse parse) {
  return [=](const std::vector<std::string>& v) {
    if (!parse(v[0], value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", name, " wants ", kind, ", got '", v[0], "'"));
    }
    return absl::OkStatus();
  };
}

}  // namespace

void FlagSet::Int(const std::string& names, int64_t* value, const std::string& help) {
  Flag& flag = Add(names, help, 1, absl::StrCat(*value));
  flag.assign = Parsed(value, flag.name, "an integer", [](absl::string_view text, int64_t* out) {
    return absl::SimpleAtoi(text, out);
  });
}

void FlagSet::Double(const std::string& names, double* value, const std::string& help) {
  Flag& flag = Add(names, help, 1, absl::StrCat(*value));
  flag.assign = Parsed(value, flag.name, "a number", [](absl::string_view text, double* out) {
    return absl::SimpleAtod(text, out);
  });
}

void FlagSet::Bool(const std::string& names, bool* value, const std::string& help) {
  Flag& flag = Add(names, help, 0, *value ? "true" : "false");
  flag.assign = [value, name = flag.name](const std::vector<std::string>& v) {
    if (v.empty()) {
      *value = true;
    } else if (!absl::SimpleAtob(v[0], value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", name, " wants true or false, got '", v[0], "'"));
    }
    return absl::OkStatus();
  };
}

void FlagSet::Duration(const std::string& names, absl::Duration* value, const std::string& help) {
  Flag& flag = Add(names, help, 1, absl::FormatDuration(*value));
  flag.assign = Parsed(
      value, flag.name, "a duration like 500ms, 10s or 2m",
      [](absl::string_view text, absl::Duration* out) { return absl::ParseDuration(text, out); });
}

void FlagSet::Strings(const std::string& names, int arity, std::vector<std::string>* values,
                      const std::string& help) {
  Add(names, help, arity, "").assign = [values](const std::vector<std::string>& v) {
    *values = v;
    return absl::OkStatus();
  };
}

FlagSet::Flag* FlagSet::Find(const std::string& name) {
  for (Flag& flag : flags_) {
    if (flag.name == name || (!flag.alias.empty() && flag.alias == name)) return &flag;
  }
  return nullptr;
}

bool FlagSet::WasSet(const std::string& long_name) const {
  for (const Flag& flag : flags_) {
    if (flag.name == long_name) return flag.set;
  }
  return false;
}

absl::Status FlagSet::Parse(const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      help_requested_ = true;
      continue;
    }
    if (arg == "--") {
      positional_.insert(positional_.end(), args.begin() + i + 1, args.end());
      break;
    }
    if (arg.size() < 2 || arg[0] != '-' || (arg[1] != '-' && arg.size() != 2)) {
      positional_.push_back(arg);
      continue;
    }
    std::string name = arg.substr(arg[1] == '-' ? 2 : 1);
    std::vector<std::string> values;
    if (const size_t eq = name.find('='); eq != std::string::npos) {
      values.push_back(name.substr(eq + 1));
      name = name.substr(0, eq);
    }
    Flag* flag = Find(name);
    // Accept both --token-file and --token_file spellings.
    if (!flag) {
      std::string other = name;
      for (char& c : other) c = c == '-' ? '_' : c == '_' ? '-' : c;
      flag = Find(other);
    }
    if (!flag)
      return absl::InvalidArgumentError(absl::StrCat("unknown flag '", arg, "' (see --help)"));
    if (values.empty()) {
      for (int k = 0; k < flag->arity; ++k) {
        if (i + 1 >= args.size()) {
          return absl::InvalidArgumentError(absl::StrCat("--", flag->name, " wants ", flag->arity,
                                                         flag->arity == 1 ? " value" : " values"));
        }
        values.push_back(args[++i]);
      }
    } else if (flag->arity > 1) {
      values = absl::StrSplit(values[0], ',');
      if (static_cast<int>(values.size()) != flag->arity) {
        return absl::InvalidArgumentError(
            absl::StrCat("--", flag->name, " wants ", flag->arity, " values"));
      }
    }
    if (absl::Status s = flag->assign(values); !s.ok()) return s;
    flag->set = true;
  }
  return absl::OkStatus();
}

std::string FlagSet::Help() const {
  std::string out = absl::StrCat("usage: ", usage_, "\n\n", description_, "\n\nflags:\n");
  for (const Flag& flag : flags_) {
    std::string left = absl::StrCat("  --", flag.name);
    if (!flag.alias.empty()) absl::StrAppend(&left, ", -", flag.alias);
    absl::StrAppend(&out, absl::StrFormat("%-24s %s", left, flag.help));
    if (!flag.default_text.empty() && flag.default_text != "0" && flag.default_text != "false") {
      absl::StrAppend(&out, " (default ", flag.default_text, ")");
    }
    absl::StrAppend(&out, "\n");
  }
  absl::StrAppend(&out, "  --help, -h               this text\n");
  return out;
}

}  // namespace ganserve::client
