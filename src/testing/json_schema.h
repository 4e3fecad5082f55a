// Test support: a validator for the subset of JSON Schema that the OpenAPI description uses.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace imeiguard::testing {

// Validates JSON values against schemas. The supported keywords are type (object, array, string,
// integer, number, boolean), properties, required, items, enum, additionalProperties (a boolean
// or a schema), nullable (OpenAPI 3.0), oneOf, and "$ref" to a JSON pointer inside the document
// ("#/components/schemas/Parcel"). The annotations description, format, title and example are
// ignored. Any other keyword is reported as a violation, so that the description cannot rely on
// a rule that this validator would skip.
class JsonSchemaValidator {
 public:
  // `document` is the whole description, in which "$ref" pointers are resolved. It is copied.
  explicit JsonSchemaValidator(boost::json::value document);

  // Returns one message per violation, each naming the JSON path of the value ("$.devices[0]");
  // an empty list means that `value` conforms to `schema`.
  std::vector<std::string> Validate(const boost::json::value& schema,
                                    const boost::json::value& value) const;

  // Walks `schema` and every schema inside it, following each "$ref" once, and returns a message
  // for each unsupported keyword and each "$ref" that names nothing. Empty when the validator
  // supports all of it.
  std::vector<std::string> CheckSchema(const boost::json::value& schema) const;

  // Resolves a "$ref" pointer such as "#/components/responses/NotFound"; nullptr when it names
  // nothing or is not a local pointer.
  const boost::json::value* Resolve(std::string_view reference) const;

 private:
  void ValidateAt(const boost::json::value& schema, const boost::json::value& value,
                  const std::string& path, int depth, std::vector<std::string>& errors) const;
  void ValidateObject(const boost::json::object& schema, const boost::json::object& value,
                      const std::string& path, int depth, std::vector<std::string>& errors) const;

  void CheckSchemaAt(const boost::json::value& schema, const std::string& path,
                     std::vector<std::string>& followed, std::vector<std::string>& errors) const;

  boost::json::value document_;
};

}  // namespace imeiguard::testing
