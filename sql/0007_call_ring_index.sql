-- The call ring-timeout job (common/call_service.hpp, every second on every realtime daemon)
-- looks for invitees still ringing: participants with status 'invited'. Only people whose phone
-- rings right now have that status (a closed call turns them into 'missed'), so this index stays
-- small while call_participants grows with every call ever made, and the job never scans it.
CREATE INDEX call_participants_ringing ON call_participants (joined_at) WHERE status = 'invited';
