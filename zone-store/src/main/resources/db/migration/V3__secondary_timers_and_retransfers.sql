-- When each secondary zone last had a successful check against a primary, kept across restarts so
-- that EXPIRE counts from it and not from the start of the process (as NSD's xfrd.state and Knot's
-- timer database do). Keyed by name: a zone has timers before its first version is stored.
CREATE TABLE secondary_timer (
  zone          VARCHAR(255) PRIMARY KEY,
  last_success  TIMESTAMP WITH TIME ZONE NOT NULL
);

-- Operator requests (cairn zone retransfer) for a full transfer that accepts any serial; the
-- running server's store poll takes them and hands them to the zone's refresher.
CREATE TABLE retransfer_request (
  zone          VARCHAR(255) PRIMARY KEY,
  requested_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
