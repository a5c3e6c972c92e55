-- Location sharing (issue 6, DESIGN.md §4.6). The tables are in 0001_init.sql; this adds the
-- index the share-expiry job (common/location_service.hpp, every second) reads: active shares
-- by expiry time, so the job never scans all shares.
CREATE INDEX location_shares_expiring ON location_shares (expires_at)
    WHERE is_active AND expires_at IS NOT NULL;
