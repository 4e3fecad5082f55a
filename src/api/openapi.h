// The OpenAPI 3 description of the HTTP API, embedded from src/api/openapi.json at build time.
#pragma once

#include <string_view>

namespace imeiguard {

// The description as JSON text, valid for the life of the program.
std::string_view OpenApiDocument();

}  // namespace imeiguard
