// Names of JSON value kinds, for messages about a value of the wrong kind.
#pragma once

#include <boost/json/value.hpp>
#include <string_view>

namespace imeiguard {

// "null", "a boolean", "a number", "a string", "an array" or "an object", for messages such as
// "parcels must be an array, not an object.".
inline std::string_view JsonKindName(const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::null:
      return "null";
    case boost::json::kind::bool_:
      return "a boolean";
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_:
      return "a number";
    case boost::json::kind::string:
      return "a string";
    case boost::json::kind::array:
      return "an array";
    case boost::json::kind::object:
      return "an object";
  }
  return "a value";
}

}  // namespace imeiguard
