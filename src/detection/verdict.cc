#include "detection/verdict.h"

#include "core/enum_names.h"

namespace imeiguard {
namespace {

constexpr EnumNameTable<Verdict, 6> kVerdictNames = {{
    {Verdict::kInFlow, "in_flow"},
    {Verdict::kDelivered, "delivered"},
    {Verdict::kReturned, "returned"},
    {Verdict::kSuspect, "suspect"},
    {Verdict::kLost, "lost"},
    {Verdict::kRecovered, "recovered"},
}};

}  // namespace

std::string_view VerdictName(Verdict verdict) { return NameOf(kVerdictNames, verdict); }

std::optional<Verdict> ParseVerdict(std::string_view text) { return ValueOf(kVerdictNames, text); }

}  // namespace imeiguard
