// Keeps the text of a batch of parsed events alive after the parser's per-line buffers are reused,
// without a heap allocation per event once the arena has grown to the batch size.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "events/scan_event.h"

namespace imeiguard {

class EventArena {
 public:
  // Empties the arena but keeps its capacity for the next batch.
  void Clear() {
    text_.clear();
    events_.clear();
    views_.clear();
  }

  void Add(const ScanEventView& view) {
    Stored stored;
    stored.event_id = Keep(view.event_id);
    stored.parcel_id = Keep(view.parcel_id);
    stored.node = Keep(view.node);
    stored.handler = Keep(view.handler);
    stored.next_node = Keep(view.next_node);
    stored.detail = Keep(view.detail);
    stored.view = view;
    events_.push_back(stored);
  }

  // Views of every added event, valid until the next Clear or Add.
  std::span<const ScanEventView> Views() {
    views_.clear();
    for (const Stored& stored : events_) {
      ScanEventView view = stored.view;
      view.event_id = Text(stored.event_id);
      view.parcel_id = Text(stored.parcel_id);
      view.node = Text(stored.node);
      view.handler = Text(stored.handler);
      view.next_node = Text(stored.next_node);
      view.detail = Text(stored.detail);
      views_.push_back(view);
    }
    return views_;
  }

  std::size_t size() const { return events_.size(); }

 private:
  struct Slice {
    std::size_t offset = 0;
    std::size_t length = 0;
  };
  struct Stored {
    ScanEventView view;  // Its text fields are stale; the slices locate the kept copies.
    Slice event_id, parcel_id, node, handler, next_node, detail;
  };

  Slice Keep(std::string_view text) {
    Slice slice{text_.size(), text.size()};
    text_.append(text);
    return slice;
  }
  std::string_view Text(Slice slice) const {
    return std::string_view(text_).substr(slice.offset, slice.length);
  }

  std::string text_;
  std::vector<Stored> events_;
  std::vector<ScanEventView> views_;
};

}  // namespace imeiguard
