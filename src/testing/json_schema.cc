#include "testing/json_schema.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "core/json_kind.h"

namespace imeiguard::testing {
namespace json = boost::json;
namespace {

// Deeper schemas than this are taken to be a "$ref" cycle.
constexpr int kMaxSchemaDepth = 64;

const std::set<std::string_view> kKnownKeywords = {
    "type",   "properties", "required", "items",  "enum",        "additionalProperties",
    "$ref",   "nullable",   "oneOf",    "format", "description", "title",
    "example"};

bool HasType(const json::value& value, std::string_view type) {
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  if (type == "string") return value.is_string();
  if (type == "boolean") return value.is_bool();
  if (type == "number") return value.is_number();
  if (type == "integer") {
    if (value.is_int64() || value.is_uint64()) return true;
    return value.is_double() && std::trunc(value.get_double()) == value.get_double();
  }
  return false;
}

}  // namespace

JsonSchemaValidator::JsonSchemaValidator(json::value document) : document_(std::move(document)) {}

std::vector<std::string> JsonSchemaValidator::Validate(const json::value& schema,
                                                       const json::value& value) const {
  std::vector<std::string> errors;
  ValidateAt(schema, value, "$", 0, errors);
  return errors;
}

const json::value* JsonSchemaValidator::Resolve(std::string_view reference) const {
  if (reference.substr(0, 2) != "#/") return nullptr;
  json::error_code error;
  const json::value* target = document_.find_pointer(reference.substr(1), error);
  return error ? nullptr : target;
}

std::vector<std::string> JsonSchemaValidator::CheckSchema(const json::value& schema) const {
  std::vector<std::string> followed;
  std::vector<std::string> errors;
  CheckSchemaAt(schema, "#", followed, errors);
  return errors;
}

void JsonSchemaValidator::CheckSchemaAt(const json::value& schema_value, const std::string& path,
                                        std::vector<std::string>& followed,
                                        std::vector<std::string>& errors) const {
  const json::object* schema = schema_value.if_object();
  if (schema == nullptr) {
    errors.push_back(path + ": the schema is not a JSON object");
    return;
  }
  for (const auto& [keyword, value] : *schema) {
    if (!kKnownKeywords.contains(keyword)) {
      errors.push_back(path + ": unsupported keyword '" + std::string(keyword) + "'");
    }
  }
  if (const json::value* reference = schema->if_contains("$ref")) {
    std::string pointer = reference->is_string() ? std::string(reference->get_string()) : "";
    const json::value* target = Resolve(pointer);
    if (target == nullptr) {
      errors.push_back(path + ": $ref '" + pointer + "' names nothing");
    } else if (std::find(followed.begin(), followed.end(), pointer) == followed.end()) {
      followed.push_back(pointer);
      CheckSchemaAt(*target, pointer, followed, errors);
    }
  }
  if (const json::value* properties = schema->if_contains("properties")) {
    if (const json::object* members = properties->if_object()) {
      for (const auto& [name, member] : *members) {
        CheckSchemaAt(member, path + "/properties/" + std::string(name), followed, errors);
      }
    }
  }
  if (const json::value* items = schema->if_contains("items")) {
    CheckSchemaAt(*items, path + "/items", followed, errors);
  }
  if (const json::value* additional = schema->if_contains("additionalProperties")) {
    if (additional->is_object()) {
      CheckSchemaAt(*additional, path + "/additionalProperties", followed, errors);
    }
  }
  if (const json::value* choices = schema->if_contains("oneOf")) {
    if (const json::array* options = choices->if_array()) {
      for (std::size_t i = 0; i < options->size(); ++i) {
        CheckSchemaAt((*options)[i], path + "/oneOf/" + std::to_string(i), followed, errors);
      }
    }
  }
}

void JsonSchemaValidator::ValidateAt(const json::value& schema_value, const json::value& value,
                                     const std::string& path, int depth,
                                     std::vector<std::string>& errors) const {
  if (depth > kMaxSchemaDepth) {
    errors.push_back(path + ": the schema nests deeper than " + std::to_string(kMaxSchemaDepth) +
                     " levels; is there a $ref cycle?");
    return;
  }
  const json::object* schema = schema_value.if_object();
  if (schema == nullptr) {
    errors.push_back(path + ": the schema is not a JSON object");
    return;
  }
  for (const auto& [keyword, ignored] : *schema) {
    if (!kKnownKeywords.contains(keyword)) {
      errors.push_back(path + ": the schema uses the unsupported keyword '" + std::string(keyword) +
                       "'");
    }
  }

  if (const json::value* reference = schema->if_contains("$ref")) {
    const json::value* target = reference->is_string() ? Resolve(reference->get_string()) : nullptr;
    if (target == nullptr) {
      errors.push_back(path + ": the schema's $ref " + json::serialize(*reference) +
                       " names nothing in the description");
      return;
    }
    ValidateAt(*target, value, path, depth + 1, errors);
    return;
  }

  if (value.is_null()) {
    const json::value* nullable = schema->if_contains("nullable");
    if (nullable != nullptr && nullable->is_bool() && nullable->get_bool()) return;
  }

  if (const json::value* type = schema->if_contains("type")) {
    std::string_view name = type->is_string() ? std::string_view(type->get_string()) : "";
    if (!HasType(value, name)) {
      errors.push_back(path + ": expected " + json::serialize(*type) + ", found " +
                       std::string(JsonKindName(value)));
      return;
    }
  }

  if (const json::value* allowed = schema->if_contains("enum")) {
    bool found = false;
    if (const json::array* values = allowed->if_array()) {
      for (const json::value& candidate : *values) found = found || candidate == value;
    }
    if (!found) {
      errors.push_back(path + ": " + json::serialize(value) + " is not one of " +
                       json::serialize(*allowed));
    }
  }

  if (const json::value* choices = schema->if_contains("oneOf")) {
    int matches = 0;
    if (const json::array* options = choices->if_array()) {
      for (const json::value& option : *options) {
        std::vector<std::string> option_errors;
        ValidateAt(option, value, path, depth + 1, option_errors);
        if (option_errors.empty()) ++matches;
      }
    }
    if (matches != 1) {
      errors.push_back(path + ": matches " + std::to_string(matches) +
                       " of the oneOf schemas instead of exactly one");
    }
  }

  if (const json::array* array = value.if_array()) {
    if (const json::value* items = schema->if_contains("items")) {
      for (std::size_t i = 0; i < array->size(); ++i) {
        ValidateAt(*items, (*array)[i], path + "[" + std::to_string(i) + "]", depth + 1, errors);
      }
    }
  }

  if (const json::object* object = value.if_object()) {
    ValidateObject(*schema, *object, path, depth, errors);
  }
}

void JsonSchemaValidator::ValidateObject(const json::object& schema, const json::object& value,
                                         const std::string& path, int depth,
                                         std::vector<std::string>& errors) const {
  if (const json::value* required = schema.if_contains("required")) {
    if (const json::array* names = required->if_array()) {
      for (const json::value& name : *names) {
        if (name.is_string() && !value.contains(name.get_string())) {
          errors.push_back(path + ": the required member '" + std::string(name.get_string()) +
                           "' is missing");
        }
      }
    }
  }

  const json::object* properties = nullptr;
  if (const json::value* found = schema.if_contains("properties")) properties = found->if_object();
  const json::value* additional = schema.if_contains("additionalProperties");

  for (const auto& [name, member] : value) {
    std::string member_path = path + "." + std::string(name);
    if (properties != nullptr) {
      if (const json::value* member_schema = properties->if_contains(name)) {
        ValidateAt(*member_schema, member, member_path, depth + 1, errors);
        continue;
      }
    }
    if (additional == nullptr) continue;
    if (additional->is_bool()) {
      if (!additional->get_bool()) {
        errors.push_back(member_path + ": the member is not in the schema's properties");
      }
    } else {
      ValidateAt(*additional, member, member_path, depth + 1, errors);
    }
  }
}

}  // namespace imeiguard::testing
