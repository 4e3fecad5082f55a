#include "registry/manifest.h"

#include "core/enum_names.h"
#include "identifiers/text.h"

namespace imeiguard {
namespace {

constexpr EnumNameTable<Service, 5> kServiceNames = {{
    {Service::kHome, "home"},
    {Service::kServicePoint, "service_point"},
    {Service::kLocker, "locker"},
    {Service::kMailbox, "mailbox"},
    {Service::kBusiness, "business"},
}};

}  // namespace

std::string_view ServiceName(Service service) { return NameOf(kServiceNames, service); }

std::optional<Service> ParseService(std::string_view text) { return ValueOf(kServiceNames, text); }

ManifestBatch ParseManifest(std::string_view text, const ManifestOptions& options) {
  std::string_view rest = text;
  if (rest.substr(0, 3) == "\xEF\xBB\xBF") rest.remove_prefix(3);
  rest = TrimAsciiSpace(rest);
  if (!rest.empty() && (rest.front() == '{' || rest.front() == '[')) {
    return ParseManifestJson(text, options);
  }
  return ParseManifestCsv(text, options);
}

}  // namespace imeiguard
