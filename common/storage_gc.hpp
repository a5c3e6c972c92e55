// The storage garbage collector (a background job of the realtime daemon): blobs that no live
// files row owns are removed. Sources: storage_intents rows that are due (uploads that never
// committed, deletes whose immediate removal failed) and uploads without a chat that no
// message used within TEMP_FILE_TTL_HOURS. Idempotent and safe with several daemons running it
// at once (rows are claimed with SKIP LOCKED); a storage outage postpones removals with
// backoff, never drops them. Blocking I/O: run it on a worker thread.
#pragma once

#include <string>

#include "app_deps.hpp"

namespace nt {

struct StorageGcStats {
  int64_t expired_files = 0;    // temp uploads marked deleted this round
  int64_t removed_intents = 0;  // intents whose blobs are gone now
  int64_t postponed = 0;        // intents retried later (storage failed)
};

StorageGcStats collect_storage(Deps& d);

// Deletes an intent whose blobs are gone and gives back the quota it reserved.
void finish_storage_intent(Pg& pg, const std::string& intent_id);

}  // namespace nt
