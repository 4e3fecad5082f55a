// The EPCIS event hash ID of GS1's Core Business Vocabulary 2.0: a SHA-256 over a canonical
// "pre-hash" string of the event's fields. Every serialisation of one event gives the same ID,
// whatever its key order, white space, compact or full IRIs, URN or Digital Link identifiers, time
// zone of an instant, or order of unordered lists.
//
// The pre-hash string lists the fields in the CBV's canonical property order (eventType,
// eventTime, eventTimeZoneOffset, the EPC and quantity lists, action, transformationID, bizStep,
// disposition, persistentDisposition, readPoint, bizLocation, the business transaction, source and
// destination lists, sensor data, ILMD, then user extensions), each as name=value without
// separators. Times are UTC with milliseconds and "Z", EPCs are canonical GS1 Digital Link URIs,
// CBV terms their web URIs, list members and extensions are sorted by code unit. eventID,
// recordTime and errorDeclaration are not part of it, so an error declaration hashes like the
// event it declares in error.
#pragma once

#include <boost/json/object.hpp>
#include <string>

#include "epcis/epcis_identifiers.h"

namespace imeiguard::epcis {

// The pre-hash string of `event`, an EPCIS 2.0 event as JSON-LD, with compact IRIs expanded by
// `prefixes`. Fields of the wrong JSON type are skipped: validation is the parser's task.
std::string CanonicalPreHash(const boost::json::object& event, const Prefixes& prefixes);

// "ni:///sha-256;<64 hex digits>?ver=CBV2.0" (RFC 6920 named information) of the pre-hash string.
std::string EventHashId(const boost::json::object& event, const Prefixes& prefixes);

}  // namespace imeiguard::epcis
