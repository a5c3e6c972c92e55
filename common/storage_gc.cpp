#include "storage_gc.hpp"

#include "config.hpp"
#include "log.hpp"
#include "storage.hpp"

namespace nt {
namespace {

// Temp uploads past their lifetime become deleted files whose keys are due for removal.
const Sql kExpireTemp{
    "gc_expire_temp",
    "WITH f AS (UPDATE files SET is_deleted = true WHERE id IN ("
    "SELECT x.id FROM files x WHERE x.chat_id IS NULL AND NOT x.is_deleted "
    "AND x.created_at < now() - make_interval(hours => $1::int) "
    "AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.file_id = x.id) "
    "ORDER BY x.created_at LIMIT 500 FOR UPDATE SKIP LOCKED) "
    "RETURNING uploader_id, file_size, storage_key, thumbnail_key), "
    "u AS (UPDATE users SET storage_used_bytes = greatest(storage_used_bytes - s.total, 0) "
    "FROM (SELECT uploader_id, sum(file_size) AS total FROM f GROUP BY uploader_id) s "
    "WHERE users.id = s.uploader_id) "
    "INSERT INTO storage_intents (user_id, keys, due_at) "
    "SELECT uploader_id, array_remove(ARRAY[storage_key::text, thumbnail_key::text], NULL), now() "
    "FROM f"};

const Sql kDueIntents{"gc_due_intents",
                      "SELECT id, array_to_string(keys, ',') FROM storage_intents "
                      "WHERE due_at <= now() ORDER BY due_at LIMIT 100 FOR UPDATE SKIP LOCKED"};

const Sql kFinishIntent{"gc_finish_intent",
                        "WITH d AS (DELETE FROM storage_intents WHERE id = $1 "
                        "RETURNING user_id, refund_bytes) "
                        "UPDATE users u SET storage_used_bytes = "
                        "greatest(u.storage_used_bytes - d.refund_bytes, 0) "
                        "FROM d WHERE u.id = d.user_id AND d.refund_bytes > 0"};

// Exponential backoff up to an hour.
const Sql kPostpone{"gc_postpone",
                    "UPDATE storage_intents SET attempts = attempts + 1, due_at = now() + "
                    "make_interval(secs => least(power(2, attempts + 1), 3600)) WHERE id = $1"};

}  // namespace

void finish_storage_intent(Pg& pg, const std::string& intent_id) { pg.exec(kFinishIntent, {intent_id}); }

StorageGcStats collect_storage(Deps& d) {
  StorageGcStats stats;
  stats.expired_files = d.pg.exec(kExpireTemp, {pg_int(d.cfg.temp_file_ttl_hours)}).affected();
  const Storage& store = storage(d.cfg);
  Tx tx(d.pg);
  const PgResult due = d.pg.exec(kDueIntents);
  for (int i = 0; i < due.rows(); ++i) {
    const std::string id = due.str(i, 0);
    try {
      for (const auto& key : split_list(due.str(i, 1))) store.remove(key);
    } catch (const StorageError& e) {
      // Storage is failing: retry this one later and leave the rest for the next round.
      log_warn("storage gc: %s (intent %s postponed)", e.what(), id.c_str());
      d.pg.exec(kPostpone, {id});
      ++stats.postponed;
      break;
    }
    finish_storage_intent(d.pg, id);
    ++stats.removed_intents;
  }
  tx.commit();
  return stats;
}

}  // namespace nt
