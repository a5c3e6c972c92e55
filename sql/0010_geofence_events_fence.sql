-- Geofences (issue 6, DESIGN.md §4.6; common/geofence_service.cpp). The tables are in
-- 0001_init.sql; this adds the index of one fence's events, newest first:
-- * GET /location/geofences/events?geofence_id= pages one fence's events by id without walking
--   all of the user's events (geofence_events_user serves the unfiltered list);
-- * the ON DELETE CASCADE of geofence_events.geofence_id (an account deletion removes its
--   fences) finds the rows by index instead of scanning the table.
CREATE INDEX geofence_events_fence ON geofence_events (geofence_id, id DESC);
