// The CSV rows of the blocklist files that operators load into their equipment identity registers.
//
// The first columns are those of the DIRBS stolen list (DIRBS-Core etc/schema/StolenListSchema.csvs
// and StolenListDeltaSchema.csvs): `imei`, `reporting_date` as YYYYMMDD, `status`, whose value
// "blacklist" marks an IMEI to block, and in deltas `change_type` ("add" or "remove"). Our own
// columns follow them, so that a loader that reads only the DIRBS columns still works:
//
//   full file:  imei,reporting_date,status,reason
//   delta file: imei,reporting_date,status,change_type,reason,changed_at,order_id
//
// Every IMEI of a device gets its own row, so a dual-SIM phone has two. Dates are UTC. Lines end in
// "\n"; fields that contain a comma, a quote, CR or LF are quoted as RFC 4180 specifies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/time.h"
#include "identifiers/imei.h"
#include "locking/lock_state.h"

namespace imeiguard {

inline constexpr std::string_view kBlocklistFullHeader = "imei,reporting_date,status,reason";
inline constexpr std::string_view kBlocklistDeltaHeader =
    "imei,reporting_date,status,change_type,reason,changed_at,order_id";

// The DIRBS status of a blocked IMEI, and ours for one whose block was lifted.
inline constexpr std::string_view kBlockedStatus = "blacklist";
inline constexpr std::string_view kUnblockedStatus = "unblocked";

// One IMEI's row.
struct BlocklistRow {
  Imei imei = Imei::FromCoreValue(0);
  LockAction action = LockAction::kLock;  // kLock: "add", kUnlock: "remove".
  std::string reason;                     // Why, such as "lost: silence" or "recovered".
  Timestamp reported_at;                  // When the order was created; reporting_date.
  Timestamp changed_at;                   // When the order was applied; deltas only.
  std::int64_t order_id = 0;              // The lock order; deltas only.
};

// The rows of one order: one per IMEI of its device, both reported when the order was created.
std::vector<BlocklistRow> RowsOfOrder(const LockOrder& order, Timestamp changed_at);

// Quotes `field` when it contains a comma, a double quote, CR or LF, doubling inner quotes.
std::string CsvField(std::string_view field);

// "20261204" for any time on 4 December 2026, UTC.
std::string ReportingDate(Timestamp t);

// One line of a full or delta file, with its "\n".
std::string FormatFullRow(const BlocklistRow& row);
std::string FormatDeltaRow(const BlocklistRow& row);

enum class BlocklistFileKind { kFull, kDelta };

// The content of a full or delta file, as ParseBlocklistFile returns it.
struct ParsedBlocklistFile {
  BlocklistFileKind kind = BlocklistFileKind::kDelta;
  std::vector<BlocklistRow> rows;
  // Bytes up to the end of the last complete line. A crash while appending can leave a last line
  // without its "\n"; that row was never acknowledged, and a writer truncates the file here.
  std::size_t complete_bytes = 0;
};

// Parses a full or delta file, whose header line names its kind. A last line without "\n" is left
// out of `rows`. Returns kInvalidInput naming the line and the column for an unknown header, a
// wrong number of fields, an invalid IMEI, date, status, change type or order id, or an unclosed
// quote in a complete line. `origin` (a file name) starts every message.
Result<ParsedBlocklistFile> ParseBlocklistFile(std::string_view text, std::string_view origin);

}  // namespace imeiguard
