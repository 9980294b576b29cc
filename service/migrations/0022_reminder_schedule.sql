-- Issue 16, points 2 and 5: the scheduler that every replica runs, one replica at a time per tick
-- (an advisory lock held by the tick's transaction). Reminders need no state of their own: a
-- reminder is due while no notification carries its dedupe key. The daily digest does: the last
-- digest moment (07:30 in Viet Nam) already handled, so a tick after it, a restart, or another
-- replica queues nothing twice and reads the notifications once a day, not once a tick.
CREATE TABLE scheduler_job (
    name        text PRIMARY KEY,
    done_until  timestamptz NOT NULL
);

-- The digest reads the unread notifications of one day across all users.
CREATE INDEX notification_unread_created ON notification (created_at) WHERE read_at IS NULL;
